/**
 * The pipeline runner. For each stage instance, once what it needs has finished: hash its inputs,
 * compare with `mlops.lock`, and then either leave it (cached), bring its outs back from the run
 * cache (cached, restored), or run it. Independent instances run in parallel, bounded by cores.
 * A failure skips only its dependants. Tracking starts lazily, at the first instance that runs, so
 * a fully cached run starts no daemon and writes no file.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type StageResult } from '../../../schemas/src/pipelines';
import { expandPatterns } from '../glob';
import { type ObjectStore } from '../objects';
import { DATA_DEP } from './checks';
import { pipelineDirs, RunCache, stageLogFile } from './cache';
import { HashCache, hashPath, setHash, type HashedFile, type PathState } from './hashing';
import { Lock, stageKey, whyChanged, type LockEntry } from './lock';
import { planPipeline, selectInstances, type StageInstance } from './plan';
import { runStageProcess } from './process';
import { existsSync, statSync } from 'node:fs';

/** What the runner needs from tracking and the built-in stages; the CLI provides it. */
export interface StageHost {
  /** Called before the first instance runs: start the pipeline's tracked run. */
  begin(instances: StageInstance[]): Promise<void>;
  /** Starts the instance's tracked run; returns the environment for its command. */
  startStage(inst: StageInstance): Promise<NodeJS.ProcessEnv>;
  /** Ends the instance's run; metric files are read by the host. */
  endStage(inst: StageInstance, ok: boolean, durationMs: number): Promise<void>;
  /** Runs a built-in stage (validate, register, deploy); a thrown error fails the stage. */
  builtin(inst: StageInstance, logFile: string): Promise<string>;
  /** Called once after everything was decided, when `begin` was called. */
  end(results: StageResult[]): Promise<void>;
}

export interface RunOptions {
  root: string;
  stateDir: string;
  config: MlopsConfig;
  objects: ObjectStore;
  stages: string[];
  force: boolean;
  dryRun: boolean;
  concurrency?: number;
  echo(text: string): void;
  host?: StageHost;
  /** Called for each result as it is decided. */
  onResult?(r: StageResult): void;
}

export interface RunOutcome {
  results: StageResult[];
  wroteLock: boolean;
}

interface Inputs {
  entry: Omit<LockEntry, 'key' | 'outs'>;
  key: string;
}

/** Hash of an instance's outs as recorded: what dependants see as "upstream". */
function outsHash(outs: Record<string, string>): string {
  const files: HashedFile[] = Object.entries(outs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, sha256]) => ({ path, size: 0, sha256 }));
  return setHash(files, false) ?? setHash([{ path: '', size: 0, sha256: '0'.repeat(64) }], false) ?? '';
}

class PipelineRun {
  private readonly lock: Lock;
  private readonly hashes: HashCache;
  private readonly cache: RunCache;
  private readonly dirs;
  private readonly results = new Map<string, StageResult>();
  /** Instance → hash of its outs after this run decided it. */
  private readonly upstream = new Map<string, string>();
  /** Instance → its key after this run decided it: a deploy stage's key covers its register stages'. */
  private readonly keys = new Map<string, string>();
  private began?: Promise<void>;
  private readonly byId: Map<string, StageInstance>;

  constructor(
    private readonly o: RunOptions,
    private readonly instances: StageInstance[],
  ) {
    this.lock = new Lock(o.root);
    this.dirs = pipelineDirs(o.stateDir);
    this.hashes = new HashCache(this.dirs.hashes);
    this.cache = new RunCache(o.root, this.dirs.cache, o.objects);
    this.byId = new Map(instances.map((i) => [i.id, i]));
  }

  async run(): Promise<RunOutcome> {
    const limit = Math.max(1, this.o.concurrency ?? availableParallelism());
    const pending = new Map(this.instances.map((i) => [i.id, i]));
    const active = new Map<string, Promise<void>>();
    while (pending.size || active.size) {
      for (const inst of [...pending.values()]) {
        if (active.size >= limit) break;
        const needs = inst.needs.filter((n) => pending.has(n) || active.has(n) || this.results.has(n));
        if (needs.some((n) => !this.results.has(n))) continue;
        pending.delete(inst.id);
        const p = this.decide(inst).then((r) => this.record(r));
        active.set(inst.id, p.finally(() => active.delete(inst.id)));
      }
      if (active.size) await Promise.race(active.values());
      else if (pending.size) throw new Error(`stages left that can never start: ${[...pending.keys()].join(', ')}`);
    }
    const wroteLock = this.o.dryRun ? false : this.lock.save();
    if (!this.o.dryRun) this.hashes.save();
    const results = this.instances.map((i) => this.results.get(i.id) as StageResult);
    if (this.began) await this.o.host?.end(results);
    return { results, wroteLock };
  }

  private record(r: StageResult): void {
    this.results.set(r.name, r);
    this.o.onResult?.(r);
  }

  private async decide(inst: StageInstance): Promise<StageResult> {
    const t0 = Date.now();
    const result = (status: StageResult['status'], reason: string): StageResult => ({ name: inst.id, status, reason, duration_ms: Date.now() - t0 });
    const blocked = inst.needs.map((n) => this.results.get(n)).find((r) => r && (r.status === 'failed' || r.status === 'skipped'));
    if (blocked) return result('skipped', `${blocked.name} ${blocked.status === 'failed' ? 'failed' : 'was skipped'}`);
    const waiting = inst.needs.map((n) => this.results.get(n)).find((r) => r?.status === 'would-run');
    if (waiting) return result('would-run', `upstream ${waiting.name} would run`);
    const inputs = await this.inputs(inst);
    const before = this.lock.get(inst.id);
    const outs = await this.outsNow(inst);
    if (!this.o.force && before?.key === inputs.key) {
      const drift = this.outDrift(before, outs);
      if (!drift) return this.keep(inst, before, result('cached', 'unchanged'));
      const restored = this.tryRestore(inst, inputs, outs);
      if (restored) return result('cached', `${drift}; ${restored}`);
      return this.execute(inst, inputs, [drift], t0);
    }
    const why = this.o.force ? ['--force'] : whyChanged(before, inputs.entry);
    if (!this.o.force) {
      const restored = this.tryRestore(inst, inputs, outs);
      if (restored) return result('cached', `${why.join('; ')}; ${restored}`);
    }
    return this.execute(inst, inputs, why, t0);
  }

  private keep(inst: StageInstance, entry: LockEntry, r: StageResult): StageResult {
    this.upstream.set(inst.id, outsHash(entry.outs));
    this.keys.set(inst.id, entry.key);
    return r;
  }

  /** Outs now, by path; missing outs hash to null. */
  private async outsNow(inst: StageInstance): Promise<Map<string, PathState>> {
    const now = new Map<string, PathState>();
    for (const out of [...inst.outs, ...inst.metrics]) now.set(out, await hashPath(this.o.root, out, this.hashes));
    return now;
  }

  private outDrift(entry: LockEntry, outs: Map<string, PathState>): string | undefined {
    for (const [path, state] of outs) {
      if (state.hash === null) return `out ${path} is missing`;
      if (entry.outs[path] !== state.hash) return `out ${path} was modified`;
    }
    return undefined;
  }

  /** Restores this key's outs when the cache holds them; returns the reason, else undefined. */
  private tryRestore(inst: StageInstance, inputs: Inputs, outs: Map<string, PathState>): string | undefined {
    const entry = this.cache.get(inputs.key);
    if (!entry || !this.cache.restorable(entry, outs)) return undefined;
    const recorded = Object.fromEntries(Object.entries(entry.outs).map(([p, o]) => [p, o.hash]));
    if (this.o.dryRun) {
      this.upstream.set(inst.id, outsHash(recorded));
      return 'would restore outs from the cache';
    }
    this.cache.restore(entry, outs);
    this.lock.set(inst.id, { ...inputs.entry, key: inputs.key, outs: recorded });
    this.upstream.set(inst.id, outsHash(recorded));
    this.keys.set(inst.id, inputs.key);
    return `outs restored from the cache (${entry.created_at})`;
  }

  private async execute(inst: StageInstance, inputs: Inputs, why: string[], decidedAt: number): Promise<StageResult> {
    let t0 = decidedAt;
    const reason = why.slice(0, 3).join('; ') + (why.length > 3 ? `; and ${why.length - 3} more` : '');
    if (this.o.dryRun) return { name: inst.id, status: 'would-run', reason, duration_ms: 0 };
    const host = this.o.host;
    if (host) {
      this.began ??= host.begin(this.instances);
      await this.began;
    }
    // The stage's own time: hashing and starting the pipeline's tracked run are not part of it.
    t0 = Date.now();
    const logFile = stageLogFile(this.dirs.logs, inst.id);
    this.o.echo(`[${inst.id}] running: ${reason}\n`);
    let failure: string | undefined;
    let note = '';
    try {
      if (inst.cmd !== undefined) {
        const env = host ? await host.startStage(inst) : process.env;
        const code = await runStageProcess({ cmd: inst.cmd, cwd: this.o.root, env, prefix: `[${inst.id}]`, logFile, echo: this.o.echo });
        if (code !== 0) failure = `exit code ${code}; log: ${logFile}`;
      } else if (host) {
        await host.startStage(inst);
        note = await host.builtin(inst, logFile);
      } else failure = `a ${inst.config.kind} stage needs the daemon`;
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
    if (!failure) failure = await this.store(inst, inputs);
    await host?.endStage(inst, !failure, Date.now() - t0);
    if (failure) {
      this.o.echo(`[${inst.id}] failed: ${failure}\n`);
      return { name: inst.id, status: 'failed', reason: failure, duration_ms: Date.now() - t0 };
    }
    return { name: inst.id, status: 'ran', reason: note ? `${reason}; ${note}` : reason, duration_ms: Date.now() - t0 };
  }

  /** Checks and caches the outs of a finished instance; returns what is wrong, if anything. */
  private async store(inst: StageInstance, inputs: Inputs): Promise<string | undefined> {
    const outs = [...inst.outs, ...inst.metrics];
    const { entry, missing } = await this.cache.put(inputs.key, inst.id, outs, this.hashes);
    if (missing.length) return `declared outs not written: ${missing.join(', ')}`;
    const recorded = Object.fromEntries(Object.entries(entry.outs).map(([p, o]) => [p, o.hash]));
    this.lock.set(inst.id, { ...inputs.entry, key: inputs.key, outs: recorded });
    this.upstream.set(inst.id, outsHash(recorded));
    this.keys.set(inst.id, inputs.key);
    return undefined;
  }

  /** Everything the key covers: command, built-in fields, deps' content, params, upstream outs. */
  private async inputs(inst: StageInstance): Promise<Inputs> {
    const c = inst.config;
    const spec: Record<string, unknown> = { kind: c.kind };
    for (const k of ['dataset', 'model', 'artifact', 'deployment'] as const) if (c[k] !== undefined) spec[k] = c[k];
    if (c.kind === 'validate' && c.dataset) spec['expectations'] = this.o.config.data[c.dataset]?.expectations ?? null;
    const depList = [...inst.deps];
    if (c.kind === 'validate' && c.dataset && !depList.includes(`data:${c.dataset}`)) depList.push(`data:${c.dataset}`);
    const deps: Record<string, string | null> = {};
    for (const d of depList) deps[d] = await this.depHash(d);
    const upstream: Record<string, string> = {};
    for (const n of inst.needs) {
      // A register stage writes no file, so a deploy stage would never see a new version: its
      // key takes the register stage's key instead, and it runs again whenever that one ran.
      const h = c.kind === 'deploy' && this.byId.get(n)?.config.kind === 'register' ? this.keys.get(n) : this.upstream.get(n);
      if (h) upstream[n] = h;
    }
    const entry = { cmd: inst.cmd ?? null, spec, deps, params: inst.params, upstream };
    return { entry, key: stageKey(entry) };
  }

  private async depHash(dep: string): Promise<string | null> {
    const data = DATA_DEP.exec(dep);
    if (!data) return (await hashPath(this.o.root, dep, this.hashes)).hash;
    // A dataset dep hashes like a dataset version's fingerprint, so the lock names the same content.
    const cfg = this.o.config.data[data[1] as string];
    const files: HashedFile[] = [];
    for (const f of cfg ? expandPatterns(this.o.root, cfg.paths) : []) {
      const abs = join(this.o.root, f);
      const st = statSync(abs);
      files.push({ path: f, size: st.size, sha256: await this.hashes.file(abs, st) });
    }
    return setHash(files, false);
  }
}

/** Checks, plans and runs (or with `dryRun` only decides) the pipeline. */
export async function runPipeline(o: RunOptions): Promise<RunOutcome> {
  const plan = planPipeline(o.config, { fileExists: (p) => existsSync(isAbsolute(p) ? p : join(o.root, p)) });
  const instances = selectInstances(plan, o.stages);
  return new PipelineRun(o, instances).run();
}

