/**
 * Turns a registration request into a stored artifact and a checked signature: reads the ONNX file,
 * compares its inputs with `mlops.yaml`'s `models.<name>.signature`, and stores it by content hash.
 * All of this happens before the registry's transaction, which never waits on I/O.
 */
import type * as z from 'zod';
import { type registerVersionRequest } from '../../../schemas/src/api';
import { loadConfig, formatProblems } from '../../../shared/src/mlops-yaml';
import { parseOnnxModel, checkSignatureAgainstConfig, OnnxFormatError } from '../onnx/model';
import { ZipMapError, rewriteZipMap } from '../onnx/zipmap';
import { type ObjectStore } from '../../../shared/src/objects';
import { DomainError } from '../util/errors';
import { type NewVersion } from './registry';

export const MAX_ARTIFACT_BYTES = 2 * 1024 ** 3;

/**
 * A 2-D tensor input cannot name its columns, but models that record their column names (metadata
 * `feature_names`, a JSON array, as our trainers write) are checked position by position (numbered
 * from 1, like the signature check), so a model trained on swapped columns is refused.
 */
export function checkFeatureNames(recorded: string | undefined, expected: string[]): string[] {
  if (recorded === undefined) return [];
  let names: unknown;
  try {
    names = JSON.parse(recorded);
  } catch {
    return [];
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) return [];
  for (let i = 0; i < Math.max(names.length, expected.length); i++) {
    if (names[i] !== expected[i]) {
      return [
        expected[i] === undefined
          ? `the model was trained with an extra column ${i + 1} "${String(names[i])}"`
          : `feature ${i + 1} "${expected[i]}": the model's column ${i + 1} is ${names[i] === undefined ? 'missing' : `"${String(names[i])}"`}`,
      ];
    }
  }
  return [];
}

/**
 * A refused artifact. Uploaded content (no `source`) is described by itself: the client knows the
 * file it uploaded and names it in front of the message; built graphs name what built them.
 */
function invalidArtifact(source: string | undefined, message: string): DomainError {
  if (source) return new DomainError(422, 'invalid_artifact', `${source}: ${message}`);
  return new DomainError(422, 'invalid_artifact', message, [{ path: 'body.artifact_sha256', message }]);
}

/** The bytes with any scikit-learn ZipMap rewritten away; a ZipMap that cannot be is refused with the fix. */
function withoutZipMap(bytes: Uint8Array, source: string | undefined): Uint8Array {
  try {
    return rewriteZipMap(bytes).bytes;
  } catch (e) {
    if (e instanceof ZipMapError) throw invalidArtifact(source, e.message);
    throw e;
  }
}

export interface PreparedVersion {
  version: NewVersion;
  keepVersions: number;
}

export class ArtifactIntake {
  constructor(
    private readonly root: string,
    private readonly objects: ObjectStore,
  ) {}

  async prepare(model: string, req: z.infer<typeof registerVersionRequest>): Promise<PreparedVersion> {
    const size = this.objects.sizeOf(req.artifact_sha256);
    if (size === undefined) {
      throw new DomainError(400, 'bad_request', `body.artifact_sha256: no uploaded content ${req.artifact_sha256.slice(0, 12)}; upload the ONNX file first with POST /objects`);
    }
    if (size > MAX_ARTIFACT_BYTES) throw new DomainError(413, 'artifact_too_large', `artifact is larger than 2 GiB`);
    const bytes = await this.objects.read(req.artifact_sha256);
    return this.prepareBytes(model, bytes, undefined, req);
  }

  /**
   * Checks and stores ONNX bytes (uploaded content, or a graph the exporter built); `source` names
   * built graphs in errors (uploaded content goes without: the client names its file).
   * A scikit-learn ZipMap output is rewritten to the probability tensor first (onnx/zipmap.ts).
   */
  async prepareBytes(model: string, original: Uint8Array, source: string | undefined, req: Omit<z.infer<typeof registerVersionRequest>, 'artifact_sha256'>): Promise<PreparedVersion> {
    const bytes = withoutZipMap(original, source);
    let info;
    try {
      info = parseOnnxModel(bytes);
    } catch (e) {
      if (e instanceof OnnxFormatError) {
        throw invalidArtifact(source, e.message);
      }
      throw e;
    }
    const cfg = loadConfig(this.root);
    if (!cfg.ok && !cfg.missing) {
      throw new DomainError(422, 'invalid_config', `mlops.yaml is invalid, so the signature cannot be checked: ${formatProblems(cfg).split('\n').join('; ')}`);
    }
    const modelCfg = cfg.ok ? cfg.config.models[model] : undefined;
    const signature = { ...info.signature } as NewVersion['signature'];
    if (modelCfg) {
      const problems = [
        ...checkSignatureAgainstConfig(info.signature, modelCfg),
        ...checkFeatureNames(info.metadata['feature_names'], modelCfg.signature.inputs.map((f) => f.name)),
      ];
      if (problems.length) {
        throw new DomainError(
          422,
          'signature_mismatch',
          `the model does not match models.${model}.signature in mlops.yaml: ${problems.join('; ')}`,
        );
      }
      signature.features = modelCfg.signature.inputs.map((f) => ({ name: f.name, type: f.type }));
    }
    const stored = await this.objects.putBytes(bytes);
    return {
      keepVersions: cfg.ok ? cfg.config.retention.keep_versions : 10,
      version: {
        sha256: stored.sha256,
        size: stored.size,
        signature,
        description: req.description,
        tags: req.tags,
        metrics: req.metrics,
        runId: req.run_id ?? null,
      },
    };
  }
}
