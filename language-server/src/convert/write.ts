/**
 * Writing a conversion into a project: the scripts, mlops.yaml, and the mlops module when the
 * interpreter lacks it. The one part of the converter that touches files (the CLI and the language
 * server's `mlops/convertNotebook` both write through it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ConvertResult } from './index';
import { canImportMlops, moduleSource } from '../python/importable';

/** Writes the files; returns the project-relative paths written. */
export function writeConversion(root: string, result: ConvertResult, python: string): string[] {
  const written: string[] = [];
  for (const f of result.files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.text);
    written.push(f.path);
  }
  if (result.yaml !== undefined) {
    writeFileSync(join(root, 'mlops.yaml'), result.yaml);
    written.push('mlops.yaml');
  }
  // Scripts read params through `import mlops`; they run with the scripts' folder first on sys.path.
  const out = join(root, result.plan.out);
  const needs = result.plan.stages.some((s) => s.params.length);
  const source = moduleSource();
  if (needs && source && written.length && !canImportMlops(python, out)) {
    writeFileSync(join(out, 'mlops.py'), source);
    written.push(join(result.plan.out, 'mlops.py'));
  }
  return written;
}
