/** "Export CSV" / "Save PNG" of a dashboard: a save dialog (starting in the project), then the file written. */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type ShowableLog } from '../ui';

export async function saveExport(root: string | undefined, format: 'csv' | 'png', filename: string, content: string, log: ShowableLog): Promise<void> {
  const base = root ? vscode.Uri.file(join(root, filename)) : undefined;
  const target = await vscode.window.showSaveDialog({
    ...(base ? { defaultUri: base } : {}),
    filters: format === 'csv' ? { 'CSV': ['csv'] } : { 'PNG image': ['png'] },
    title: format === 'csv' ? 'Export CSV' : 'Save PNG',
  });
  if (!target) return;
  const bytes = format === 'csv' ? Buffer.from(content, 'utf8') : pngBytes(content);
  await vscode.workspace.fs.writeFile(target, bytes);
  log.info(`saved ${target.fsPath} (${bytes.length} bytes)`);
  void vscode.window.setStatusBarMessage(`Saved ${target.fsPath}`, 4000);
}

/** The bytes of a `data:image/png;base64,` URL; anything else is refused. */
export function pngBytes(dataUrl: string): Buffer {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
  if (!m) throw new Error('the chart image is not a PNG data URL');
  return Buffer.from(m[1] as string, 'base64');
}
