/**
 * Finds the `mlops.yaml` that governs a Python file: next to it or in a folder above (an open
 * editor's unsaved text wins over the disk). With none, the quick fix creates one at the root of
 * the workspace folder holding the file, or next to the file outside any workspace.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export class ConfigLocator {
  roots: string[] = [];
  private readonly disk = new Map<string, { mtimeMs: number; text: string }>();

  constructor(private readonly openText: (uri: string) => string | undefined) {}

  private read(path: string): string | undefined {
    const uri = pathToFileURL(path).href;
    const open = this.openText(uri);
    if (open !== undefined) return open;
    try {
      const st = statSync(path);
      if (!st.isFile()) return undefined;
      const hit = this.disk.get(path);
      if (hit && hit.mtimeMs === st.mtimeMs) return hit.text;
      const text = readFileSync(path, 'utf8');
      this.disk.set(path, { mtimeMs: st.mtimeMs, text });
      return text;
    } catch {
      return undefined;
    }
  }

  locate(uri: string): { uri: string; text?: string } | undefined {
    let file: string;
    try {
      if (!uri.startsWith('file:')) return undefined;
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      for (const name of ['mlops.yaml', 'mlops.yml']) {
        const text = this.read(join(dir, name));
        if (text !== undefined) return { uri: pathToFileURL(join(dir, name)).href, text };
      }
      if (dirname(dir) === dir) break;
    }
    const root = this.roots.map((r) => safePath(r)).find((r) => r !== undefined && (file.startsWith(r + '/') || file.startsWith(r + '\\')));
    return { uri: pathToFileURL(join(root ?? dirname(file), 'mlops.yaml')).href };
  }
}

function safePath(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
