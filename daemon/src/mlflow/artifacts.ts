/**
 * MLflow's artifacts proxy (the mlflow-artifacts endpoints of schemas/src/endpoints/mlflow.ts), backed by our object
 * store: an upload becomes a run artifact (or a logged model's artifact) named by its path, so
 * `mlops runs show` lists what `mlflow.log_artifact` sent. Paths are checked segment by segment
 * after percent-decoding: no `..`, no `.`, no empty segment, no backslash or NUL, nothing absolute.
 * MLflow's own server let `..` through here once (CVE-2023-1177); this one never touches a file
 * path derived from the request: objects are addressed by content hash only.
 */
import { type Db } from '../store/db';
import { type ObjectStore } from '../../../shared/src/objects';
import { invalid, missing, invalidState } from './errors';

export const MAX_ARTIFACT_UPLOAD_BYTES = 2 * 1024 ** 3;

export type ArtifactTarget = { kind: 'run'; runId: string; path: string } | { kind: 'model'; modelId: string; path: string };

/** Splits and checks an artifact path; `allowRoot` lets a listing name a folder with no file part. */
export function safeArtifactPath(raw: string, allowRoot = false): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw invalid(`Invalid artifact path '${raw}': malformed percent-encoding`);
  }
  if (decoded.startsWith('/') || /^[a-zA-Z]:/.test(decoded)) throw invalid(`Invalid artifact path '${raw}': absolute paths are not allowed`);
  if (/[\\\0]/.test(decoded)) throw invalid(`Invalid artifact path '${raw}': backslashes and NUL are not allowed`);
  const parts = decoded.split('/');
  if (allowRoot && parts[parts.length - 1] === '') parts.pop();
  for (const p of parts) {
    if (p === '..' || p === '.') throw invalid(`Invalid artifact path '${raw}': '${p}' segments are not allowed`);
    if (p === '') throw invalid(`Invalid artifact path '${raw}': empty path segment`);
  }
  return parts;
}

/** `<experiment>/<run>/artifacts/<path>` or `<experiment>/models/<model_id>/artifacts/<path>`. */
export function artifactTarget(parts: string[], allowDir = false): ArtifactTarget {
  const [exp, second, third, fourth, ...rest] = parts;
  if (!exp || !/^\d+$/.test(exp)) throw invalid(`Invalid artifact path '${parts.join('/')}': expected <experiment_id>/<run_id>/artifacts/<path>`);
  if (second === 'models' && third && fourth === 'artifacts' && (rest.length || allowDir)) {
    return { kind: 'model', modelId: third, path: rest.join('/') };
  }
  if (second && third === 'artifacts') {
    const path = [fourth, ...rest].filter((x): x is string => x !== undefined).join('/');
    if (path || allowDir) return { kind: 'run', runId: second, path };
  }
  throw invalid(`Invalid artifact path '${parts.join('/')}': expected <experiment_id>/<run_id>/artifacts/<path> as a run's artifact_uri gives`);
}

export class MlflowArtifacts {
  private readonly s;

  constructor(
    db: Db,
    private readonly objects: ObjectStore,
  ) {
    this.s = {
      run: db.prepare("SELECT lifecycle_stage FROM runs WHERE id = ?"),
      loggedModel: db.prepare('SELECT status FROM logged_models WHERE id = ?'),
      putRun: db.prepare(
        'INSERT INTO run_artifacts (run_id, path, sha256, size) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size',
      ),
      putModel: db.prepare(
        'INSERT INTO logged_model_artifacts (model_id, path, sha256, size) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size',
      ),
      runFile: db.prepare('SELECT sha256, size FROM run_artifacts WHERE run_id = ? AND path = ?'),
      modelFile: db.prepare('SELECT sha256, size FROM logged_model_artifacts WHERE model_id = ? AND path = ?'),
      runFiles: db.prepare("SELECT path, size FROM run_artifacts WHERE run_id = ? AND (? = '' OR path LIKE ? ESCAPE '\\') ORDER BY path"),
      modelFiles: db.prepare("SELECT path, size FROM logged_model_artifacts WHERE model_id = ? AND (? = '' OR path LIKE ? ESCAPE '\\') ORDER BY path"),
    };
  }

  private checkOwner(t: ArtifactTarget, writing: boolean): void {
    if (t.kind === 'run') {
      const run = this.s.run.get(t.runId) as { lifecycle_stage: string } | undefined;
      if (!run) throw missing(`Run with id=${t.runId} not found`);
      if (writing && run.lifecycle_stage !== 'active') throw invalidState(`The run ${t.runId} must be in the 'active' state. Current state is deleted.`);
    } else if (!this.s.loggedModel.get(t.modelId)) {
      throw missing(`Logged model with ID '${t.modelId}' not found.`);
    }
  }

  /** Stores uploaded bytes by content and records the path; the same path again replaces it. */
  async put(rawPath: string, body: Uint8Array): Promise<void> {
    const t = artifactTarget(safeArtifactPath(rawPath));
    this.checkOwner(t, true);
    const stored = await this.objects.putBytes(body);
    if (t.kind === 'run') this.s.putRun.run(t.runId, t.path, stored.sha256, stored.size);
    else this.s.putModel.run(t.modelId, t.path, stored.sha256, stored.size);
  }

  /** The object file behind an artifact path, for streaming back. */
  locate(rawPath: string): { file: string; size: number } {
    const t = artifactTarget(safeArtifactPath(rawPath));
    this.checkOwner(t, false);
    const row = (t.kind === 'run' ? this.s.runFile.get(t.runId, t.path) : this.s.modelFile.get(t.modelId, t.path)) as { sha256: string; size: number } | undefined;
    if (!row) throw missing(`Artifact '${rawPath}' not found`);
    if (!this.objects.has(row.sha256)) throw missing(`Artifact '${rawPath}' is recorded but its content is missing from the store; run \`mlops doctor\``);
    return { file: this.objects.pathOf(row.sha256), size: row.size };
  }

  /**
   * Direct children of a folder, as MLflow's proxy lists them: base names (the client joins them
   * to the folder it asked for), files with sizes, folders with is_dir.
   */
  list(rawPath: string | undefined): { files?: { path: string; is_dir: boolean; file_size?: number }[] } {
    if (!rawPath) return {};
    const t = artifactTarget(safeArtifactPath(rawPath, true), true);
    return this.children(t, 'basename');
  }

  /** The tracking API's artifacts/list: paths relative to the run's artifact root. */
  listRun(runId: string, rawPath: string | undefined): { root_uri: string; files?: { path: string; is_dir: boolean; file_size?: number }[] } {
    const sub = rawPath ? safeArtifactPath(rawPath, true).join('/') : '';
    const t: ArtifactTarget = { kind: 'run', runId, path: sub };
    return { root_uri: `runs:/${runId}`, ...this.children(t, 'relative') };
  }

  private children(t: ArtifactTarget, naming: 'basename' | 'relative'): { files?: { path: string; is_dir: boolean; file_size?: number }[] } {
    this.checkOwner(t, false);
    const prefix = t.path ? `${t.path}/` : '';
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = (t.kind === 'run' ? this.s.runFiles.all(t.runId, prefix, like) : this.s.modelFiles.all(t.modelId, prefix, like)) as { path: string; size: number }[];
    const out = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
    for (const r of rows) {
      const rest = r.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      const rel = naming === 'basename' || !t.path ? name : `${t.path}/${name}`;
      if (slash < 0) out.set(name, { path: rel, is_dir: false, file_size: r.size });
      else if (!out.has(name)) out.set(name, { path: rel, is_dir: true });
    }
    return out.size ? { files: [...out.values()] } : {};
  }
}
