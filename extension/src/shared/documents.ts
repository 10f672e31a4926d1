/**
 * Read-only documents (audit history, run details, dataset diffs) under the `mlops:` scheme: a
 * TextDocumentContentProvider, so they open as clean, non-editable editors instead of dirty
 * Untitled buffers, and showing one again refreshes it in place.
 */
import * as vscode from 'vscode';
import { DOC_SCHEME } from '../shell/ids';

export class ReadonlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Shows `content` at `mlops:<path>` (a `.md` path opens as markdown). */
  async show(path: string, content: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: DOC_SCHEME, path: path.startsWith('/') ? path : `/${path}` });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
