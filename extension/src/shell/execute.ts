/** Runs a declared command by id: how views reach each other without importing each other's code. */
import * as vscode from 'vscode';
import { type CommandId } from './ids';

export function execute(id: CommandId, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}
