/** `mlops data ...` and `mlops gc`: content-addressed dataset versions. */
import { api, connect } from '../context';
import { CliError, pos, positiveInt, str, type CommandSpec } from '../framework';
import { fmtBytes, fmtTime, printJson, Progress, table } from '../output';
import * as endpoints from '../../../schemas/src/endpoints';

const snapshot: CommandSpec = {
  words: ['data', 'snapshot'],
  summary: 'Hash a dataset\'s files and record a new version if anything changed',
  positionals: [{ name: 'dataset', required: true, description: 'dataset name under data: in mlops.yaml' }],
  options: { reason: { type: 'string', description: 'why (default "cli")', placeholder: 'text' } },
  json: true,
  examples: ['mlops data snapshot train', 'mlops data snapshot train --reason "fixed labels" --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const name = pos(args, 'dataset');
    const bar = new Progress(io, `hashing ${name}`, 1, 'bytes');
    const r = await api(() =>
      client.snapshot(name, str(args, 'reason') ?? 'cli', (p) => {
        bar.total = p.bytes_total;
        bar.update(p.bytes_done);
      }),
    ).finally(() => bar.done());
    if (args.json) return printJson(io, r);
    const v = r.version;
    io.out(
      r.created
        ? `${name}: new version ${v.version} (${v.file_count} files, ${fmtBytes(v.total_bytes)}; ${r.hashed_files} read, ${r.new_objects} new objects)\n`
        : `${name}: unchanged, matches version ${v.version} (${v.file_count} files, ${fmtBytes(v.total_bytes)})\n`,
    );
  },
};

const versions: CommandSpec = {
  words: ['data', 'versions'],
  summary: 'List the versions of a dataset, newest first',
  positionals: [{ name: 'dataset', required: true, description: 'dataset name' }],
  json: true,
  examples: ['mlops data versions train', 'mlops data versions train --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.listDatasetVersions, { params: { name: pos(args, 'dataset') } }));
    if (args.json) return printJson(io, r.versions);
    io.out(
      table(
        ['version', 'parent', 'files', 'size', 'reason', 'created'],
        r.versions.map((v) => [v.version, v.parent_version, v.file_count, fmtBytes(v.total_bytes), v.reason, fmtTime(v.created_at)]),
      ),
    );
  },
};

const list: CommandSpec = {
  words: ['data', 'list'],
  summary: 'List datasets with their latest version',
  json: true,
  examples: ['mlops data list', 'mlops data list --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.listDatasets));
    if (args.json) return printJson(io, r.datasets);
    io.out(
      table(
        ['dataset', 'paths', 'versions', 'latest', 'files', 'size'],
        r.datasets.map((d) => [d.name + (d.configured ? '' : ' (not in mlops.yaml)'), d.paths.join(' '), d.version_count, d.latest?.version, d.latest?.file_count, d.latest ? fmtBytes(d.latest.total_bytes) : null]),
      ),
    );
  },
};

const diff: CommandSpec = {
  words: ['data', 'diff'],
  summary: 'Show files added, removed and changed between two versions',
  positionals: [
    { name: 'dataset', required: true, description: 'dataset name' },
    { name: 'v1', required: true, description: 'older version' },
    { name: 'v2', required: true, description: 'newer version' },
  ],
  json: true,
  examples: ['mlops data diff train 1 2', 'mlops data diff train 1 3 --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() =>
      client.request(endpoints.diffDataset, { params: { name: pos(args, 'dataset') }, query: { from: positiveInt(pos(args, 'v1'), 'v1'), to: positiveInt(pos(args, 'v2'), 'v2') } }),
    );
    if (args.json) return printJson(io, r);
    const rows = [
      ...r.added.map((f) => ['+ added', f.path, null, fmtBytes(f.size)]),
      ...r.removed.map((f) => ['- removed', f.path, fmtBytes(f.size), null]),
      ...r.changed.map((f) => ['~ changed', f.path, fmtBytes(f.from_size), fmtBytes(f.to_size)]),
    ];
    io.out(table(['change', 'path', `size v${r.from}`, `size v${r.to}`], rows));
    io.out(`${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ${r.unchanged} unchanged\n`);
  },
};

const checkout: CommandSpec = {
  words: ['data', 'checkout'],
  summary: 'Restore a dataset\'s files exactly as they were in a version (current files are saved first)',
  positionals: [
    { name: 'dataset', required: true, description: 'dataset name' },
    { name: 'version', required: true, description: 'version to restore' },
  ],
  json: true,
  examples: ['mlops data checkout train 1'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.checkoutDataset, { params: { name: pos(args, 'dataset') }, body: { version: positiveInt(pos(args, 'version'), 'version') } }));
    if (args.json) return printJson(io, r);
    io.out(`${r.dataset} is now version ${r.version}: ${r.written.length} written, ${r.removed.length} removed, ${r.unchanged} unchanged`);
    io.out(r.saved_as ? ` (the files as they were are version ${r.saved_as})\n` : '\n');
  },
};

const gc: CommandSpec = {
  words: ['gc'],
  summary: 'Remove stored objects nothing references any more (models, datasets, runs)',
  options: {
    'dry-run': { type: 'boolean', description: 'only report what would be removed' },
    grace: { type: 'string', description: 'keep unreferenced objects younger than this many seconds (default 600)', placeholder: 's' },
  },
  json: true,
  examples: ['mlops gc --dry-run', 'mlops gc --grace 0 --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const graceText = str(args, 'grace');
    if (graceText !== undefined && !/^\d+$/.test(graceText)) throw new CliError(`--grace "${graceText}": expected whole seconds`);
    const r = await api(() => client.request(endpoints.collectGarbage, { body: { dry_run: Boolean(args.options['dry-run']), grace_seconds: graceText === undefined ? undefined : Number(graceText) } }));
    if (args.json) return printJson(io, r);
    io.out(`${r.dry_run ? 'would remove' : 'removed'} ${r.removed_objects} objects, ${fmtBytes(r.bytes_freed)} ${r.dry_run ? 'to free' : 'freed'}; ${r.kept_objects} kept\n`);
  },
};

export const dataCommands: CommandSpec[] = [list, snapshot, versions, diff, checkout, gc];
