/** `mlops import dvc`: a DVC pipeline into mlops.yaml (see shared/src/pipelines/dvc-import.ts). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { importDvcJson, type ImportDvcJson } from '../../../schemas/src/pipelines';
import { CONFIG_FILE } from '../../../shared/src/mlops-yaml';
import { importDvc } from '../../../shared/src/pipelines/dvc-import';
import { requireRoot } from '../context';
import { CliError, str, type CommandSpec } from '../framework';
import { printJson } from '../output';

/** A file of the project, or undefined when absent or outside it (nothing outside is read). */
function projectFile(root: string, path: string): string | undefined {
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(abs)) return undefined;
  return readFileSync(abs, 'utf8');
}

const importDvcCommand: CommandSpec = {
  words: ['import', 'dvc'],
  summary: 'Turn dvc.yaml (and params.yaml) into mlops.yaml pipeline stages and params, keeping what is there',
  options: {
    'dry-run': { type: 'boolean', short: 'n', description: 'report what would be added; write nothing' },
    file: { type: 'string', description: 'the DVC pipeline file (default dvc.yaml)', placeholder: 'path' },
  },
  json: true,
  examples: ['mlops import dvc --dry-run', 'mlops import dvc', 'mlops import dvc --file sub/dvc.yaml --json'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const dvcFile = str(args, 'file') ?? 'dvc.yaml';
    const dvcYaml = projectFile(root, dvcFile);
    if (dvcYaml === undefined) throw new CliError(`${dvcFile}: no such file in the project`, 'run it in the DVC project folder, or pass --file');
    const cfgPath = join(root, CONFIG_FILE);
    const mlopsYaml = readFileSync(cfgPath, 'utf8');
    const paramsYaml = projectFile(root, 'params.yaml');
    const r = importDvc({ dvcYaml, dvcFile, ...(paramsYaml !== undefined ? { paramsYaml } : {}), mlopsYaml, readFile: (p) => projectFile(root, p) });
    const dryRun = args.options['dry-run'] === true;
    const written = !dryRun && r.text !== mlopsYaml;
    if (written) writeFileSync(cfgPath, r.text);
    const out: ImportDvcJson = { dry_run: dryRun, written, stages_added: r.stagesAdded, stages_kept: r.stagesKept, params_added: r.paramsAdded, params_kept: r.paramsKept, not_carried: r.notCarried };
    if (args.json) return printJson(io, importDvcJson.parse(out));
    const verb = dryRun ? 'would add' : 'added';
    io.out(`${verb} ${r.stagesAdded.length} stages (${r.stagesAdded.join(', ') || 'none'}) and ${r.paramsAdded.length} params to ${CONFIG_FILE}\n`);
    if (r.stagesKept.length) io.out(`kept as they are (already in ${CONFIG_FILE}): stages ${r.stagesKept.join(', ')}\n`);
    if (r.paramsKept.length) io.out(`kept the values in ${CONFIG_FILE} of: ${r.paramsKept.join(', ')}\n`);
    for (const n of r.notCarried) io.out(`${dvcFile}:${n.line}: ${n.path}: ${n.message}\n`);
    if (written) io.out(`next: mlops run --dry-run\n`);
  },
};

export const pipelineIoCommands: CommandSpec[] = [importDvcCommand];
