/**
 * `mlops/convertNotebook` (client → server; contract in schemas/src/convert.ts): the editor's
 * "Convert to Pipeline…" asks for the proposed stages (`dry_run`), shows them, then asks again to
 * write. The conversion is the same transport-free core `mlops convert` runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Connection } from 'vscode-languageserver/node';
import { CONVERT_NOTEBOOK_REQUEST, convertNotebookParams, type ConvertNotebookResult } from '../../schemas/src/convert';
import { loadConfig } from '../../shared/src/mlops-yaml';
import { findProjectRoot } from '../../shared/src/paths';
import { convertNotebook } from './convert';
import { writeConversion } from './convert/write';
import { initPython } from './python';

export function convertRequest(raw: unknown): ConvertNotebookResult {
  const parsed = convertNotebookParams.safeParse(raw);
  if (!parsed.success) return { written: [], error: `bad ${CONVERT_NOTEBOOK_REQUEST} request: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const p = parsed.data;
  const file = p.uri.startsWith('file:') ? fileURLToPath(p.uri) : p.uri;
  if (!existsSync(file)) return { written: [], error: `${file}: no such notebook` };
  const root = findProjectRoot(dirname(file), {}) ?? dirname(file);
  const yamlFile = join(root, 'mlops.yaml');
  const yamlText = existsSync(yamlFile) ? readFileSync(yamlFile, 'utf8') : undefined;
  try {
    const result = convertNotebook({
      notebookJson: readFileSync(file, 'utf8'), notebook: relative(root, file).split(sep).join('/'), yamlText, projectName: basename(root),
      ...(p.by ? { by: p.by } : {}), ...(p.out ? { out: p.out } : {}),
      readFile: (f) => (existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : undefined),
    });
    if (p.dry_run || result.plan.refusals.length) return { plan: result.plan, written: [] };
    const cfg = yamlText === undefined ? undefined : loadConfig(root);
    const python = process.env['MLOPS_PYTHON'] ?? (cfg?.ok ? cfg.config.python.interpreter : 'python3');
    const written = writeConversion(root, result, python);
    return { plan: result.plan, written, config: pathToFileURL(yamlFile).href };
  } catch (e) {
    return { written: [], error: e instanceof Error ? e.message : String(e) };
  }
}

export function wireConvert(connection: Connection): void {
  connection.onRequest(CONVERT_NOTEBOOK_REQUEST, async (raw: unknown) => {
    await initPython();
    return convertRequest(raw);
  });
}
