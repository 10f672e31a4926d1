/**
 * Serving process entry (dist/serving.js), one per deployment. Under the daemon it is forked with an
 * IPC channel: the first message boots it, later ones load versions (hand-over) or shut it down, and
 * it reports `listening`, `loaded`, `load_failed`, `released` and periodic `stats` back. Standalone
 * (`node serving.js --spec spec.json`, as the exported container runs it) the spec file boots it.
 * It exits when the daemon goes away, so a killed daemon never leaves endpoints behind.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  servingBootSchema,
  toServingMessage,
  type FromServingMessage,
  type ServingBoot,
} from '../../../schemas/src/serving';
import { ModelHost } from './host';
import { ServingServer } from './http';
import { ServingMetrics } from './metrics';
import { Safety } from './safety';
import { runShadowWorker, ShadowCopier } from './shadow';
import { attachMonitoring, type AttachedMonitoring } from '../monitoring/recorder/attach';

const STATS_EVERY_MS = 2000;

function tell(msg: FromServingMessage): boolean {
  if (!process.send || !process.connected) return false;
  process.send(msg);
  return true;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} serving: ${line}\n`);
}

async function start(boot: ServingBoot): Promise<{ host: ModelHost; safety: Safety; shadow: ShadowCopier; monitoring: AttachedMonitoring | undefined; shutdown(code: number): Promise<void> }> {
  const metrics = new ServingMetrics(boot.deployment);
  const safety: Safety = new Safety(boot.safety, boot.deployment, (state, reason) => {
    log(`circuit breaker ${state}: ${reason}`);
    tell({ type: 'breaker', state, reason, version: host.model?.spec.version ?? null, fallback_answers: safety.fallbackAnswers });
  });
  const host: ModelHost = new ModelHost(boot, metrics, {
    loaded: (version, loadMs, warmupMs) => {
      log(`version ${version} serving (load ${loadMs.toFixed(1)} ms, warm-up ${warmupMs.toFixed(1)} ms)`);
      safety.breaker.reset(`version ${version} loaded`);
      tell({ type: 'loaded', version, load_ms: loadMs, warmup_ms: warmupMs });
    },
    loadFailed: (version, error) => {
      log(`version ${version} failed to load: ${error}`);
      // With a version still serving this is a failed hand-over, not an outage.
      if (!host.model) safety.breaker.loadFailed(error);
      tell({ type: 'load_failed', version, error });
    },
    released: (version) => tell({ type: 'released', version }),
  });
  const server = new ServingServer(boot, host, metrics, safety);
  const shadow = new ShadowCopier(boot.deployment, boot.shadow, (delta) => tell({ type: 'shadow_stats', delta }), log);
  server.recorders.push((r) => shadow.offer(r));
  const monitoring = attachMonitoring(boot, server, host, metrics, tell, log);
  const port = await server.listen();
  log(`deployment ${boot.deployment} listening on http://${boot.host}:${port}`);
  tell({ type: 'listening', port });
  const timer = setInterval(() => {
    tell({ type: 'stats', stats: metrics.stats() });
    shadow.report();
  }, STATS_EVERY_MS);
  timer.unref();
  let closing = false;
  const shutdown = async (code: number): Promise<void> => {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    await server.close();
    await shadow.close();
    await monitoring?.close();
    await host.close();
    process.exit(code);
  };
  void host.load(boot.model);
  return { host, safety, shadow, monitoring, shutdown };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { spec: { type: 'string' }, shadow: { type: 'boolean' } } });
  if (values.shadow) return runShadowWorker();
  if (values.spec) {
    const boot = servingBootSchema.parse(JSON.parse(readFileSync(values.spec, 'utf8')));
    const s = await start(boot);
    process.on('SIGTERM', () => void s.shutdown(0));
    process.on('SIGINT', () => void s.shutdown(0));
    return;
  }
  if (!process.send) throw new Error('run under the daemon (IPC) or with --spec <file>');
  let running: Awaited<ReturnType<typeof start>> | undefined;
  process.on('message', (raw: unknown) => {
    const parsed = toServingMessage.safeParse(raw);
    if (!parsed.success) return log(`ignored a malformed message: ${parsed.error.issues[0]?.message ?? ''}`);
    const msg = parsed.data;
    if (msg.type === 'boot' && !running) {
      start(msg.boot).then(
        (s) => (running = s),
        (e: unknown) => {
          log(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(2);
        },
      );
    } else if (msg.type === 'load') void running?.host.load(msg.model);
    else if (msg.type === 'safety') running?.safety.update(msg.safety);
    else if (msg.type === 'shadow') running?.shadow.follow(msg.model);
    else if (msg.type === 'feedback_result') running?.monitoring?.onMessage(msg);
    // Without monitoring (or still booting) nothing is held: answer at once so the daemon never waits.
    else if (msg.type === 'monitor_sync') void (running?.monitoring ? running.monitoring.onMessage(msg) : process.send?.({ type: 'monitor_synced', id: msg.id }));
    else if (msg.type === 'shutdown') void (running ? running.shutdown(0) : process.exit(0));
  });
  // The daemon went away (stopped or killed): an orphan endpoint would serve a registry nobody watches.
  process.on('disconnect', () => void (running ? running.shutdown(0) : process.exit(0)));
  process.on('SIGTERM', () => void (running ? running.shutdown(0) : process.exit(0)));
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
