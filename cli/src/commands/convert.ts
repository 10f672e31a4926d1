/** `mlops convert`: a notebook into pipeline stages (language-server/src/convert), optionally verified by running both. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { convertJson, sectionBy, type ConvertPlan, type SectionBy, type VerifyReport } from '../../../schemas/src/convert';
import { loadConfig } from '../../../shared/src/mlops-yaml';
import { findProjectRoot } from '../../../shared/src/paths';
import { convertNotebook, NotebookError } from '../../../language-server/src/convert';
import { initPython } from '../../../language-server/src/python/parser';
import { verifyConversion } from '../convert/verify';
import { writeConversion } from '../../../language-server/src/convert/write';
import { CliError, pos, str, UsageError, type CliIo, type CommandSpec, type ParsedArgs } from '../framework';
import { printJson, table } from '../output';
import { actorName } from '../context';
import { connectDaemon } from '../../../client/src/connect';
import { recordConversion } from '../../../schemas/src/endpoints/notebooks';

/** The project the notebook belongs to: the folder of the nearest mlops.yaml above it, else its own folder. */
function projectOf(notebook: string, io: CliIo): string {
  const fromNotebook = findProjectRoot(dirname(notebook), { ...io.env, MLOPS_ROOT: '' });
  const root = fromNotebook ?? findProjectRoot(io.cwd, io.env) ?? dirname(notebook);
  if (relative(root, notebook).startsWith('..')) throw new CliError(`${notebook} is outside the project ${root}`, 'convert a notebook inside the project folder');
  return root;
}

function printPlan(io: CliIo, plan: ConvertPlan, file: string): void {
  const rows = plan.stages.map((s) => [
    s.name,
    s.cells.length ? `${s.cells[0]}-${s.cells[s.cells.length - 1]}` : '-',
    s.inputs.map((i) => `${i.name}←${i.from}`).join(' ') || '-',
    [...s.outputs, ...s.outs.filter((o) => !o.includes('/values/'))].join(' ') || '-',
    s.params.join(' ') || '-',
  ]);
  io.out(table(['stage', 'cells', 'inputs', 'outputs', 'params'], rows));
  for (const n of plan.notes) io.err(`${file}: cell ${n.cell}, line ${n.line}: note: ${n.message}\n`);
  for (const c of plan.conflicts) io.err(`mlops convert: conflict: ${c} already exists with other content; left as it is\n`);
}

function verifyLine(v: VerifyReport): string {
  if (v.equal) return `verify: equal (${v.compared.cells} cells' output, ${v.compared.values} values, ${v.python})\n`;
  const d = v.difference;
  const where = [d?.stage ? `stage ${d.stage}` : '', d?.cell ? `cell ${d.cell}` : ''].filter(Boolean).join(', ');
  return `verify: DIFFERENT${where ? ` (${where})` : ''}: ${d?.message ?? 'unknown'}\n`;
}

/** The event `notebook.converted`, when the project's daemon is running (a conversion starts none). */
async function recordEvent(io: CliIo, root: string, notebook: string, plan: ConvertPlan, written: string[], verify: VerifyReport | undefined): Promise<void> {
  if (!existsSync(join(root, '.mlops', 'daemon.json'))) return;
  try {
    const client = await connectDaemon(root, { actor: actorName(io), autoStart: false });
    await client.request(recordConversion, { body: { notebook, stages: plan.stages.map((s) => s.name), written, ...(verify ? { verified: verify.equal } : {}) } });
  } catch (e) {
    io.err(`mlops convert: warning: the conversion was not recorded in the event log (${e instanceof Error ? e.message : String(e)})\n`);
  }
}

async function convertCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const notebook = resolve(io.cwd, pos(args, 'notebook'));
  if (!existsSync(notebook)) throw new CliError(`${notebook}: no such notebook`, 'give the path of an .ipynb file');
  const byText = str(args, 'by');
  const by = byText === undefined ? undefined : sectionBy.safeParse(byText);
  if (by && !by.success) throw new UsageError(`--by ${byText}: expected h1, h2, h3 or tags`, convert);
  const root = projectOf(notebook, io);
  const yamlFile = join(root, 'mlops.yaml');
  const yamlText = existsSync(yamlFile) ? readFileSync(yamlFile, 'utf8') : undefined;
  const cfg = yamlText === undefined ? undefined : loadConfig(root);
  const python = io.env['MLOPS_PYTHON'] ?? (cfg?.ok ? cfg.config.python.interpreter : 'python3');
  await initPython();
  const rel = relative(root, notebook).split(sep).join('/');
  let result;
  try {
    result = convertNotebook({
      notebookJson: readFileSync(notebook, 'utf8'), notebook: rel, yamlText, projectName: basename(root),
      by: by?.data as SectionBy | undefined, out: str(args, 'out'),
      readFile: (p) => (existsSync(join(root, p)) ? readFileSync(join(root, p), 'utf8') : undefined),
    });
  } catch (e) {
    if (e instanceof NotebookError) throw new CliError(e.message, 'check that the file is a Jupyter notebook (nbformat 4)');
    throw e;
  }
  const { plan } = result;
  if (plan.refusals.length) {
    if (args.json) printJson(io, convertJson.parse({ plan, written: [] }));
    const lines = plan.refusals.map((r) => `  ${rel}: cell ${r.cell}, line ${r.line}: ${r.message}`).join('\n');
    throw new CliError(`the notebook cannot be converted faithfully; nothing was written:\n${lines}`, 'change those cells, then convert again');
  }
  if (!args.json) printPlan(io, plan, rel);
  const dryRun = args.options['dry-run'] === true;
  const written = dryRun ? [] : writeConversion(root, result, python);
  if (!args.json && !dryRun) io.err(`mlops convert: wrote ${written.join(', ') || 'nothing (everything was already there)'}; run the pipeline with \`mlops run\`\n`);
  let verify: VerifyReport | undefined;
  if (args.options['verify'] === true) {
    verify = await verifyConversion({ root, notebook: rel, result, python, env: io.env, progress: (t) => io.err(t) });
    if (!args.json) io.out(verifyLine(verify));
  }
  if (written.length) await recordEvent(io, root, rel, plan, written, verify);
  if (args.json) printJson(io, convertJson.parse({ plan, written, ...(verify ? { verify } : {}) }));
  return verify && !verify.equal ? 1 : 0;
}

const convert: CommandSpec = {
  words: ['convert'],
  summary: 'Turn a Jupyter notebook into pipeline stages (one script per section), optionally verified by running both',
  positionals: [{ name: 'notebook', required: true, description: 'the .ipynb file' }],
  options: {
    by: { type: 'string', description: 'sections from markdown headings of a level (h1, h2, h3) or cell tags (tags); default: the heading level giving most sections', placeholder: 'h1|h2|h3|tags' },
    out: { type: 'string', description: 'folder for the stage scripts (default pipeline)', placeholder: 'dir' },
    verify: { type: 'boolean', description: 'run the notebook (nbclient) and the pipeline from clean copies and compare output and values' },
    'dry-run': { type: 'boolean', short: 'n', description: 'show the proposed stages; write nothing' },
  },
  json: true,
  examples: [
    'mlops convert analysis.ipynb --dry-run',
    'mlops convert notebooks/churn.ipynb --by h2 --out pipeline',
    'mlops convert churn.ipynb --verify',
    'mlops convert churn.ipynb --by tags --json',
  ],
  run: convertCommand,
};

export const convertCommands: CommandSpec[] = [convert];
