/** Shared UI conventions: long actions inside withProgress, failures with the daemon's message and "Show Output". */
import * as vscode from 'vscode';
import { errorMessage } from './util/errors';
import { type Logger } from './util/logger';

export type ShowableLog = Logger & { show(): void };

export function showFailure(log: ShowableLog, what: string, e: unknown): void {
  const message = errorMessage(e);
  log.error(`${what} failed: ${message}`);
  void vscode.window.showErrorMessage(`${what} failed: ${message}`, 'Show Output').then((choice) => {
    if (choice === 'Show Output') log.show();
  });
}

/** Runs `fn` with a progress notification; a failure is reported and yields undefined. */
export async function runAction<T>(log: ShowableLog, title: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, fn);
  } catch (e) {
    showFailure(log, title, e);
    return undefined;
  }
}

/** Modal confirmation listing what will change; resolves true only for the confirm button. */
export async function confirmModal(message: string, detail: string[], confirm: string): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail: detail.join('\n') }, confirm);
  return choice === confirm;
}

/** Asks for the audit-log reason; undefined when the user pressed Escape. */
export function askReason(title: string, prompt: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title, prompt, placeHolder: 'Reason (kept in the audit log)', ignoreFocusOut: true });
}
