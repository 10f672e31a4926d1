/** `mlops alerts [ack|silence]`, `mlops monitor`, `mlops predictions show`, `mlops feedback` (issue 15). */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as endpoints from '../../../schemas/src/endpoints';
import { DURATION_PATTERN } from '../../../schemas/src/mlops-yaml';
import { type Alert, type FeedbackItem, type FeedbackResponse, type MonitorResponse, type WindowResult } from '../../../schemas/src/monitoring';
import { readCsvRows } from '../../../shared/src/serving/csv-rows';
import { api, connect } from '../context';
import { CliError, pos, str, type CommandSpec } from '../framework';
import { fmtNumber, fmtTime, printJson, Progress, table } from '../output';

const FEEDBACK_BATCH = 5000;

function evidenceLine(a: Alert): string {
  return (a.latest ?? a.evidence).message;
}

const alerts: CommandSpec = {
  words: ['alerts'],
  summary: 'List open monitoring alerts (latency, error_rate, drift, accuracy, rollback_failed); --all adds resolved ones',
  options: {
    all: { type: 'boolean', description: 'resolved alerts too, most recent first' },
    deployment: { type: 'string', description: 'only this deployment', placeholder: 'name' },
  },
  json: true,
  examples: ['mlops alerts', 'mlops alerts --all --deployment production', "mlops alerts --json | jq '.alerts[] | select(.kind == \"drift\") | .evidence.features'"],
  run: async (args, io) => {
    const client = await connect(io);
    const deployment = str(args, 'deployment');
    const r = await api(() => client.request(endpoints.listAlerts, { query: { all: args.options['all'] === true ? 'true' : 'false', ...(deployment ? { deployment } : {}) } }));
    if (args.json) return printJson(io, r);
    io.out(
      table(
        ['id', 'deployment', 'kind', 'state', 'version', 'opened', 'resolved', 'ack', 'evidence'],
        r.alerts.map((a) => [a.id, a.deployment, a.kind, a.state, a.version, fmtTime(a.opened_at), a.resolved_at ? fmtTime(a.resolved_at) : null, a.acknowledged ? 'yes' : 'no', evidenceLine(a)]),
      ),
    );
    for (const s of r.silenced) io.out(`${s.deployment}: silenced until ${fmtTime(s.until)}\n`);
  },
};

const ack: CommandSpec = {
  words: ['alerts', 'ack'],
  summary: 'Acknowledge an alert: it stays open until its condition clears, but stops notifying (audited)',
  positionals: [{ name: 'id', required: true, description: 'alert id, e.g. al-12 (from `mlops alerts`)' }],
  options: { reason: { type: 'string', description: 'why, for the audit log', placeholder: 'text' } },
  json: true,
  examples: ['mlops alerts ack al-12', 'mlops alerts ack al-12 --reason "known: upstream outage"'],
  run: async (args, io) => {
    const client = await connect(io);
    const id = pos(args, 'id');
    if (!/^al-\d+$/.test(id)) throw new CliError(`"${id}" is not an alert id`, 'alert ids look like al-12; list them with `mlops alerts`');
    const a = await api(() => client.request(endpoints.ackAlert, { params: { id }, body: { reason: str(args, 'reason') ?? '' } }));
    if (args.json) return printJson(io, a);
    io.out(`${a.id} (${a.deployment} ${a.kind}) acknowledged by ${a.acknowledged_by ?? '-'}; still ${a.state}\n`);
  },
};

const silence: CommandSpec = {
  words: ['alerts', 'silence'],
  summary: "Silence a deployment's alerts for a period: they still open and resolve, but nothing is sent (audited)",
  positionals: [{ name: 'deployment', required: true, description: 'deployment name' }],
  options: {
    for: { type: 'string', description: 'how long: 30m, 1h, 2d', placeholder: 'duration' },
    reason: { type: 'string', description: 'why, for the audit log', placeholder: 'text' },
  },
  json: true,
  examples: ['mlops alerts silence production --for 1h', 'mlops alerts silence production --for 30m --reason "load test"'],
  run: async (args, io) => {
    const period = str(args, 'for');
    if (!period || !DURATION_PATTERN.test(period)) throw new CliError(`--for ${period ? `"${period}"` : 'is required'}: expected a duration such as 30m, 1h or 2d`);
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.silenceDeployment, { params: { name: pos(args, 'deployment') }, body: { for: period, reason: str(args, 'reason') ?? '' } }));
    if (args.json) return printJson(io, r);
    io.out(`${r.deployment}: alerts silenced until ${fmtTime(r.silenced_until)}\n`);
  },
};

const pct = (x: number | null): string | null => (x === null ? null : `${fmtNumber(x * 100)} %`);

function figuresTable(title: string, w: WindowResult): string {
  const a = w.accuracy;
  const acc = a.task === 'regression' ? `MAE ${a.mae === null ? '-' : fmtNumber(a.mae)}, RMSE ${a.rmse === null ? '-' : fmtNumber(a.rmse)}` : (pct(a.accuracy) ?? '-');
  return (
    `${title} (${fmtTime(w.start)} → ${fmtTime(w.end)}, version ${w.version ?? '-'})\n` +
    table(
      ['requests', 'errors', 'error rate', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'labelled', 'accuracy'],
      [[w.requests, w.errors, pct(w.error_rate), w.throughput_rps, w.latency.p50_ms, w.latency.p95_ms, w.latency.p99_ms, a.labelled, a.labelled ? acc : null]],
    )
  );
}

function printMonitor(io: Parameters<CommandSpec['run']>[1], m: MonitorResponse): void {
  io.out(`${m.deployment}: ${m.state}, version ${m.version ?? '-'}\n\n`);
  io.out(figuresTable('recent span', m.current) + '\n');
  const d = m.last_window?.drift;
  if (m.last_window && d) {
    io.out(`last window: ${m.last_window.predictions} predictions, drift ${d.drifted ? `DRIFTED (${d.drifted_features.join(', ')})` : 'none'} against ${d.reference ?? '-'}${d.note ? ` (${d.note})` : ''}\n`);
    io.out(
      table(
        ['feature', 'test', 'statistic', 'p-value', 'distance', 'threshold', 'drifted', 'missing', 'out of range'],
        [...d.features, ...(d.prediction ? [d.prediction] : [])].map((f) => [f.name, f.test, f.statistic, f.p_value, f.distance, f.threshold, f.drifted ? 'yes' : 'no', f.missing, f.out_of_range]),
      ),
    );
  } else io.out('no window closed yet (monitoring.window predictions, or its duration)\n');
  io.out(`\nopen alerts: ${m.open_alerts.length ? m.open_alerts.map((a) => `${a.id} ${a.kind}: ${evidenceLine(a)}`).join('\n  ') : 'none'}\n`);
}

const monitor: CommandSpec = {
  words: ['monitor'],
  summary: "Show a deployment's current figures: latency percentiles, error rate, throughput, accuracy, drift per feature, out-of-range counts",
  positionals: [{ name: 'deployment', required: true, description: 'deployment name' }],
  json: true,
  examples: ['mlops monitor production', "mlops monitor production --json | jq '.last_window.drift.drifted_features'"],
  run: async (args, io) => {
    const client = await connect(io);
    const m = await api(() => client.request(endpoints.getMonitor, { params: { name: pos(args, 'deployment') } }));
    if (args.json) return printJson(io, m);
    printMonitor(io, m);
  },
};

const predictionShow: CommandSpec = {
  words: ['predictions', 'show'],
  summary: 'Show one prediction by request id: inputs (if stored), outputs, version, latency, feedback',
  positionals: [{ name: 'request-id', required: true, description: 'the request_id a /predict answer carried (or the X-Request-Id sent)' }],
  options: { deployment: { type: 'string', description: 'look only in this deployment', placeholder: 'name' } },
  json: true,
  examples: ['mlops predictions show 6f1c…', 'mlops predictions show req-42 --deployment production --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const deployment = str(args, 'deployment');
    const p = await api(() => client.request(endpoints.getPrediction, { params: { request_id: pos(args, 'request-id') }, query: deployment ? { deployment } : {} }));
    if (args.json) return printJson(io, p);
    io.out(`${p.request_id}: ${p.deployment} version ${p.version}, ${fmtTime(p.time)}, status ${p.status}, ${fmtNumber(p.latency_ms)} ms\n`);
    io.out(`outputs: ${JSON.stringify(p.outputs)}\n`);
    io.out(`inputs: ${p.inputs ? JSON.stringify(p.inputs) : 'not stored (monitoring.store_inputs)'}\n`);
    io.out(`feedback: ${p.feedback.length ? p.feedback.map((f) => `${JSON.stringify(f.label)} at ${fmtTime(f.received_at)}`).join(', ') : 'none'}\n`);
  },
};

/** Reads request_id,label rows; a bad row is an error naming its line. */
async function readLabels(file: string): Promise<FeedbackItem[]> {
  const items: FeedbackItem[] = [];
  let header: string[] | undefined;
  let line = 0;
  let idCol = -1;
  let labelCol = -1;
  await readCsvRows(file, (fields) => {
    line++;
    if (!header) {
      header = fields.map((f) => f.trim());
      idCol = header.indexOf('request_id');
      labelCol = header.indexOf('label');
      if (idCol < 0 || labelCol < 0) throw new CliError(`${file}: line 1 must name the columns request_id and label (found: ${header.join(', ')})`);
      return;
    }
    const id = fields[idCol]?.trim() ?? '';
    const raw = fields[labelCol]?.trim() ?? '';
    if (!/^[\w.:-]{1,128}$/.test(id)) throw new CliError(`${file}: line ${line}: request_id "${id}" is not a request id`);
    if (raw === '') throw new CliError(`${file}: line ${line}: empty label`);
    items.push({ request_id: id, label: raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw });
  }).catch((e: unknown) => {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${e instanceof Error ? e.message : String(e)}`);
  });
  if (!items.length) throw new CliError(`${file}: no labels (expected a header request_id,label and one row per prediction)`);
  return items;
}

const feedback: CommandSpec = {
  words: ['feedback'],
  summary: 'Send true labels (or values) for earlier predictions from a CSV file with columns request_id,label',
  positionals: [{ name: 'deployment', required: true, description: 'deployment name' }],
  options: { input: { type: 'string', short: 'i', description: 'CSV file with the columns request_id and label', placeholder: 'labels.csv' } },
  json: true,
  examples: ['mlops feedback production --input labels.csv', 'mlops feedback production -i labels.csv --json | jq .unknown_count'],
  run: async (args, io) => {
    const input = str(args, 'input');
    if (!input) throw new CliError('--input is required', 'e.g. mlops feedback production --input labels.csv (columns request_id,label)');
    const file = resolve(io.cwd, input);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new CliError(`${input}: no such file`);
    const client = await connect(io);
    const name = pos(args, 'deployment');
    const started = Date.now();
    const items = await readLabels(file);
    const progress = new Progress(io, `sending ${items.length} labels`, items.length);
    const sum: FeedbackResponse = { accepted: 0, unknown: [], unknown_count: 0, duplicate: 0, invalid: [] };
    for (let i = 0; i < items.length; i += FEEDBACK_BATCH) {
      const r = await api(() => client.request(endpoints.postFeedback, { params: { name }, body: { feedback: items.slice(i, i + FEEDBACK_BATCH) } }));
      sum.accepted += r.accepted;
      sum.unknown_count += r.unknown_count;
      sum.duplicate += r.duplicate;
      sum.unknown.push(...r.unknown.slice(0, 1000 - sum.unknown.length));
      sum.invalid.push(...r.invalid.slice(0, 1000 - sum.invalid.length));
      progress.update(Math.min(items.length, i + FEEDBACK_BATCH));
    }
    progress.done();
    const result = { deployment: name, rows: items.length, seconds: (Date.now() - started) / 1000, ...sum };
    if (args.json) return printJson(io, result);
    io.out(`${name}: ${sum.accepted} of ${items.length} labels recorded${sum.duplicate ? ` (${sum.duplicate} replaced earlier ones)` : ''}\n`);
    if (sum.unknown_count) io.out(`  ${sum.unknown_count} unknown or expired request ids, e.g. ${sum.unknown.slice(0, 5).join(', ')}\n`);
    for (const x of sum.invalid.slice(0, 10)) io.out(`  ${x.request_id}: ${x.reason}\n`);
  },
};

export const monitoringCommands: CommandSpec[] = [alerts, ack, silence, monitor, predictionShow, feedback];
