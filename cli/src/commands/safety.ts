/** `mlops deployments enable|disable` (the feature flag in mlops.yaml) and `mlops shadow report`. */
import * as endpoints from '../../../schemas/src/endpoints';
import { api, connect } from '../context';
import { pos, str, type CommandSpec } from '../framework';
import { fmtNumber, printJson, table } from '../output';

function flagCommand(enabled: boolean): CommandSpec {
  const word = enabled ? 'enable' : 'disable';
  return {
    words: ['deployments', word],
    summary: enabled
      ? 'Turn a deployment back on: sets deployments.<d>.enabled: true in mlops.yaml (comments kept); the model answers again'
      : 'Turn a deployment off without stopping or rolling back: sets enabled: false in mlops.yaml; it answers from its fallback rules (503 without)',
    positionals: [{ name: 'deployment', required: true, description: 'deployment name' }],
    options: { reason: { type: 'string', description: 'why, for the audit log', placeholder: 'text' } },
    json: true,
    examples: [`mlops deployments ${word} production`, `mlops deployments ${word} production --reason "incident 42" --json`],
    run: async (args, io) => {
      const client = await connect(io);
      const name = pos(args, 'deployment');
      const r = await api(() => client.request(endpoints.setDeploymentFlag, { params: { name }, body: { enabled, reason: str(args, 'reason') ?? '' } }));
      if (args.json) return printJson(io, r);
      io.out(r.changed ? `${name}: ${enabled ? 'enabled' : 'disabled'} (${r.file})\n` : `${name} was already ${enabled ? 'enabled' : 'disabled'}\n`);
    },
  };
}

const pct = (x: number | null): string | null => (x === null ? null : `${(100 * x).toFixed(1)} %`);

const shadowReport: CommandSpec = {
  words: ['shadow', 'report'],
  summary: "Compare a deployment's shadow with what it serves: label agreement, mean score difference, both latencies, dropped copies",
  positionals: [{ name: 'deployment', required: true, description: 'deployment name (with `shadow` set in mlops.yaml)' }],
  json: true,
  examples: ['mlops shadow report production', 'mlops shadow report production --json | jq .pairs[0].agreement'],
  run: async (args, io) => {
    const client = await connect(io);
    const name = pos(args, 'deployment');
    const r = await api(() => client.request(endpoints.getShadowReport, { params: { name } }));
    if (args.json) return printJson(io, r);
    if (!r.pairs.length) {
      io.out(r.shadow === null ? `${name} has no shadow; set deployments.${name}.shadow in mlops.yaml (a stage, alias or version)\n` : `${name}: shadow "${r.shadow}" has no compared traffic yet\n`);
      return;
    }
    io.out(
      table(
        ['serving', 'shadow', 'compared', 'agreement', 'score diff', 'p95 ms serving', 'p95 ms shadow', 'dropped', 'failed'],
        r.pairs.map((p) => [`v${p.primary_version}`, `v${p.shadow_version}`, p.compared, pct(p.agreement), p.mean_abs_score_diff === null ? null : fmtNumber(p.mean_abs_score_diff), p.primary_latency.p95_ms, p.shadow_latency.p95_ms, p.dropped, p.failed]),
      ),
    );
  },
};

export const safetyCommands: CommandSpec[] = [flagCommand(false), flagCommand(true), shadowReport];
