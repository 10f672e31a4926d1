/**
 * Which version a deployment serves (its stage, alias or fixed version, read from the registry) and
 * the spec a serving process loads it from: artifact path, input mode and features with their types
 * and declared categories, so the serving process needs neither the store nor mlops.yaml.
 */
import { readFileSync } from 'node:fs';
import { type DeploymentConfig, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type Follows, type ServingFeature, type ServingModelSpec } from '../../../schemas/src/serving';
import { parseOnnxModel } from '../onnx/model';
import { type Registry } from '../registry/registry';
import { type ObjectStore } from '../../../shared/src/objects';
import { conflict, DomainError } from '../util/errors';

export function followsOf(d: DeploymentConfig): Follows {
  if (d.version !== undefined) return { kind: 'version', value: String(d.version) };
  if (d.alias !== undefined) return { kind: 'alias', value: d.alias };
  return { kind: 'stage', value: d.stage ?? 'Production' };
}

/** The version the deployment should serve now; a 409 saying what to do when there is none. */
export function targetVersion(registry: Registry, d: DeploymentConfig): number {
  const f = followsOf(d);
  if (f.kind === 'version') return Number(f.value);
  const { model } = registry.getModel(d.model, 1);
  if (f.kind === 'alias') {
    const v = model.aliases[f.value];
    if (v === undefined) throw conflict(`model "${d.model}" has no alias "${f.value}"; set it with \`mlops models alias ${d.model} ${f.value} <version>\``);
    return v;
  }
  if (f.value === 'Production') {
    if (model.production_version === null) throw conflict(`model "${d.model}" has no Production version; promote one with \`mlops models promote ${d.model} <version> --to Production\``);
    return model.production_version;
  }
  const staging = model.staging_versions;
  const v = staging.length ? Math.max(...staging) : undefined;
  if (v === undefined) throw conflict(`model "${d.model}" has no Staging version; promote one with \`mlops models promote ${d.model} <version> --to Staging\``);
  return v;
}

const FEATURE_TYPES = new Set(['float', 'double', 'int32', 'int64', 'bool', 'string']);

/** Features from the version's recorded signature and mlops.yaml, or failing that from the ONNX graph. */
function featuresOf(sigFeatures: { name: string; type: string }[] | undefined, cfg: MlopsConfig | undefined, model: string, file: string): ServingFeature[] {
  const declared = cfg?.models[model]?.signature.inputs ?? [];
  if (sigFeatures?.length) {
    return sigFeatures.map((f) => {
      const categories = declared.find((d) => d.name === f.name)?.categories;
      const type = FEATURE_TYPES.has(f.type) ? (f.type as ServingFeature['type']) : 'float';
      return { name: f.name, type, ...(categories ? { categories } : {}) };
    });
  }
  if (declared.length) return declared.map((d) => ({ name: d.name, type: d.type, ...(d.categories ? { categories: d.categories } : {}) }));
  const info = parseOnnxModel(readFileSync(file));
  const input = info.signature.inputs[0];
  const width = input?.shape[1];
  if (info.signature.inputs.length !== 1 || typeof width !== 'number') {
    throw new DomainError(422, 'unknown_signature', `model "${model}" declares no signature in mlops.yaml and its graph does not say its features; add models.${model}.signature`);
  }
  let names: string[] = [];
  try {
    names = JSON.parse(info.metadata['feature_names'] ?? '[]') as string[];
  } catch {
    names = [];
  }
  const type = FEATURE_TYPES.has(input?.type ?? '') ? (input?.type as ServingFeature['type']) : 'float';
  return Array.from({ length: width }, (_, i) => ({ name: typeof names[i] === 'string' ? names[i] : `f${i}`, type }));
}

export function servingSpec(registry: Registry, objects: ObjectStore, cfg: MlopsConfig | undefined, model: string, version: number): ServingModelSpec {
  const v = registry.getVersion(model, version);
  const file = objects.pathOf(v.artifact_sha256);
  const modelCfg = cfg?.models[model];
  return {
    model,
    version,
    artifact_path: file,
    artifact_sha256: v.artifact_sha256,
    task: modelCfg?.task ?? null,
    input_mode: modelCfg?.signature.input_mode ?? 'tensor',
    features: featuresOf(v.signature.features, cfg, model, file),
  };
}
