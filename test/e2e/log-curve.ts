/**
 * Run inside `mlops exec` by the e2e fixture: logs a short `loss` curve to the current run through the
 * daemon API (MLOPS_API, MLOPS_TOKEN, MLOPS_RUN_ID), and its scale as a parameter, so Run Comparison
 * has curves to draw and a differing parameter to highlight.
 */
const api = process.env['MLOPS_API'];
const token = process.env['MLOPS_TOKEN'];
const run = process.env['MLOPS_RUN_ID'];
const scale = Number(process.argv[2] ?? '1');

async function main(): Promise<void> {
  if (!api || !token || !run) throw new Error('log-curve.ts must run inside `mlops exec` (MLOPS_API, MLOPS_TOKEN, MLOPS_RUN_ID)');
  const metrics = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', step, value: scale * Math.exp(-step / 6) + 0.2 }));
  const res = await fetch(`${api}/runs/${run}/metrics`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ metrics }),
  });
  if (!res.ok) throw new Error(`logging the loss curve failed: HTTP ${res.status} ${await res.text()}`);
  // A parameter that differs between the fixture's runs, so the comparison has a row to highlight.
  const p = await fetch(`${api}/runs/${run}/params`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ params: { curve_scale: scale } }),
  });
  if (!p.ok) throw new Error(`logging the curve parameter failed: HTTP ${p.status} ${await p.text()}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
