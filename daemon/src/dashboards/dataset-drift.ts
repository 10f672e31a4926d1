/**
 * The drift dashboard of a dataset version against a reference version: both versions' CSV files
 * are read from the object store (never the working copy, which may have moved on), compared with
 * the drift engine under `monitoring.drift`, and shaped into table rows and shared-bin
 * distributions. Versions never change, so their parsed columns are kept in a small cache.
 */
import { type DriftDashboard } from '../../../schemas/src/dashboards';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { compareWindow, CsvError, DriftInputError, prepareReference, readCsv, type Column, type DriftOptions } from '../../../shared/src/drift';
import { type ObjectStore } from '../../../shared/src/objects';
import { type Datasets } from '../datasets/datasets';
import { DomainError, notFound } from '../util/errors';
import { dashboardParts, declaredRanges } from './drift-rows';

export interface DatasetDriftQuery {
  version?: number | undefined;
  reference?: string | undefined;
  bins: number;
}

interface Table {
  rows: number;
  columns: Column[];
}

/** monitoring.drift as engine options (the same keys `mlops drift` and the validate stage read). */
export function driftOptionsOf(config: MlopsConfig | undefined): DriftOptions {
  const d = config?.monitoring?.drift;
  if (!d) return {};
  return { test: d.test, features: d.features, share: d.share, correction: d.correction, threshold: d.threshold };
}

/** Concatenates tables with the same columns (a dataset split over several CSV files). */
export function concatTables(tables: Table[], what: string): Table {
  const first = tables[0];
  if (!first || tables.length === 1) return first ?? { rows: 0, columns: [] };
  const columns = first.columns.map((c0): Column => {
    const parts = tables.map((t) => t.columns.find((c) => c.name === c0.name));
    if (parts.some((p) => !p)) throw new DomainError(422, 'no_files', `${what}: column "${c0.name}" is not in every CSV file of the version`);
    const cols = parts as Column[];
    const missing = cols.reduce((s, c) => s + c.missing, 0);
    if (cols.every((c) => c.kind === 'numeric')) {
      return { kind: 'numeric', name: c0.name, missing, values: Float64Array.from(cols.flatMap((c) => Array.from(c.kind === 'numeric' ? c.values : []))) };
    }
    // Any text makes the whole column categorical: values recoded over one category list.
    const categories: string[] = [];
    const index = new Map<string, number>();
    const codes: number[] = [];
    for (const c of cols) {
      const labels = c.kind === 'categorical' ? c.categories : [];
      const n = c.kind === 'categorical' ? c.codes.length : c.values.length;
      for (let i = 0; i < n; i++) {
        const label = c.kind === 'categorical' ? (labels[c.codes[i] as number] as string) : String(c.values[i]);
        let k = index.get(label);
        if (k === undefined) index.set(label, (k = categories.push(label) - 1));
        codes.push(k);
      }
    }
    return { kind: 'categorical', name: c0.name, missing, categories, codes: Int32Array.from(codes) };
  });
  return { rows: tables.reduce((s, t) => s + t.rows, 0), columns };
}

export class DatasetDrift {
  private readonly tables = new Map<string, Table>();

  constructor(
    private readonly datasets: Datasets,
    private readonly objects: ObjectStore,
    private readonly config: () => MlopsConfig | undefined,
    private readonly cacheSize = 4,
  ) {}

  /** "train@3" → {train, 3}; "train" → its latest version. */
  private resolve(spec: string): { dataset: string; version: number } {
    const [dataset, v] = spec.split('@') as [string, string | undefined];
    if (v !== undefined) return { dataset, version: Number(v) };
    const latest = this.datasets.versions(dataset).reduce((m, x) => Math.max(m, x.version), 0);
    if (!latest) throw notFound('dataset_version', `a version of dataset "${dataset}" (snapshot it first: mlops data snapshot ${dataset})`);
    return { dataset, version: latest };
  }

  /** The reference asked for, else data.<name>.reference, else the version before. */
  private referenceOf(name: string, version: number, asked: string | undefined): { dataset: string; version: number } {
    const spec = asked ?? this.config()?.data[name]?.reference;
    if (spec) return this.resolve(spec);
    const parent = this.datasets.versionRow(name, version).parent_version ?? version - 1;
    if (parent < 1) {
      throw notFound('dataset_version', `a reference for ${name} v${version} (it is the first version and data.${name}.reference is not set; pick a reference version)`);
    }
    return { dataset: name, version: parent };
  }

  private table(dataset: string, version: number): Table {
    const m = this.datasets.manifest(dataset, version);
    const csv = m.files.filter((f) => f.path.toLowerCase().endsWith('.csv'));
    const what = `${dataset} v${version}`;
    if (!csv.length) throw new DomainError(422, 'no_files', `${what} has no CSV file: the drift dashboard compares CSV datasets`);
    const key = csv.map((f) => f.sha256).join(',');
    const hit = this.tables.get(key);
    if (hit) return hit;
    const parts = csv.map((f) => {
      if (!this.objects.has(f.sha256)) throw new DomainError(409, 'object_missing', `content of ${f.path} in ${what} is no longer in the store (run mlops doctor)`);
      try {
        return readCsv(this.objects.pathOf(f.sha256));
      } catch (e) {
        if (e instanceof CsvError) throw new DomainError(422, 'no_files', `${f.path} in ${what}: ${e.message.replace(/^[^:]*:\s?/, '')}`);
        throw e;
      }
    });
    const made = concatTables(parts, what);
    this.tables.set(key, made);
    while (this.tables.size > this.cacheSize) this.tables.delete(this.tables.keys().next().value as string);
    return made;
  }

  dashboard(name: string, q: DatasetDriftQuery): DriftDashboard {
    const version = q.version ?? this.resolve(name).version;
    const reference = this.referenceOf(name, version, q.reference);
    const cur = this.table(name, version);
    const ref = this.table(reference.dataset, reference.version);
    const curNames = new Set(cur.columns.map((c) => c.name));
    const common = ref.columns.filter((c) => curNames.has(c.name)).map((c) => c.name);
    const label = (d: string, v: number): string => `${d}@${v}`;
    if (!common.length) throw new DomainError(422, 'no_files', `${label(name, version)} and ${label(reference.dataset, reference.version)} have no column in common`);
    let report;
    try {
      const options = { ...driftOptionsOf(this.config()), only: common, referenceLabel: label(reference.dataset, reference.version), currentLabel: label(name, version) };
      report = compareWindow(prepareReference(ref.columns, ref.rows), cur.columns, options, cur.rows);
    } catch (e) {
      if (e instanceof DriftInputError) throw new DomainError(422, 'invalid_config', `drift of ${label(name, version)}: ${e.message}`);
      throw e;
    }
    const byName = (t: Table): Map<string, Column> => new Map(t.columns.map((c) => [c.name, c]));
    const parts = dashboardParts(report, byName(ref), byName(cur), declaredRanges(this.config(), name), q.bins);
    return {
      title: `Drift: ${label(name, version)} vs ${label(reference.dataset, reference.version)}`,
      subject: { kind: 'dataset', dataset: name, version, reference },
      generated_at: new Date().toISOString(),
      reference_rows: report.reference_rows,
      current_rows: report.current_rows,
      verdict: { ...report.dataset, correction: report.correction },
      ...parts,
      history: [],
      window: null,
      references: this.referenceChoices(name, reference.dataset),
    };
  }

  /** Versions the picker offers: the dataset's own and its declared reference dataset's, newest first. */
  private referenceChoices(name: string, refDataset: string): string[] {
    const names = [...new Set([refDataset, name])];
    return names.flatMap((d) => this.datasets.versions(d).sort((a, b) => b.version - a.version).map((v) => `${d}@${v.version}`));
  }
}
