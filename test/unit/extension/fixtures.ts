/** Builders of wire objects for the extension's unit tests. */
import { type ModelSummary, type ModelVersion, type Stage } from '../../../schemas/src/api';
import { type RunSummary } from '../../../schemas/src/tracking';

export function version(n: number, stage: Stage, extra: Partial<ModelVersion> = {}): ModelVersion {
  return {
    model: 'churn',
    version: n,
    stage,
    aliases: [],
    artifact_sha256: 'a'.repeat(64),
    artifact_size: 1576,
    format: 'onnx',
    signature: { inputs: [], outputs: [] },
    description: `version ${n}`,
    tags: {},
    metrics: { auc: 0.8 + n / 100 },
    source_run_id: null,
    dataset_versions: [],
    created_at: '2026-01-01T00:00:00.000Z',
    stage_changed_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

export function summary(name: string, production: number | null, extra: Partial<ModelSummary> = {}): ModelSummary {
  return {
    name,
    description: '',
    latest_version: 2,
    version_count: 2,
    production_version: production,
    staging_versions: [],
    aliases: {},
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

export function run(id: string, extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    experiment: 'churn',
    name: `run-${id}`,
    status: 'finished',
    start_time: '2026-01-01T00:00:00.000Z',
    end_time: '2026-01-01T00:01:00.000Z',
    git_commit: '0123456789abcdef',
    git_dirty: false,
    metrics: { auc: 0.81, loss: 0.44, zeta: 1 },
    ...extra,
  };
}
