/**
 * One LogOutputChannel ("MLOps") with levels for the whole extension. Errors also reveal the channel
 * (without taking focus) so a failure is never silent.
 */
import * as vscode from 'vscode';
import { type Logger } from './util/logger';

export function createLog(): Logger & vscode.Disposable & { show(): void } {
  const channel = vscode.window.createOutputChannel('MLOps', { log: true });
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => {
      channel.error(m);
      channel.show(true);
    },
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
