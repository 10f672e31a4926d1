/**
 * Incremental analysis of one Python text: tree-sitter re-parses with the previous tree, and the
 * rules run again only on top-level statements whose text changed (results are cached per
 * statement text with offsets relative to the statement, so a statement that merely moved is free).
 * Then a cheap whole-document pass drops exempt findings and assigns suggested keys.
 */
import { IncrementalParser } from './parser';
import { IGNORE, scanStatement, type Finding } from './rules';
import { indexProject, normalisePath, type ProjectIndex } from './project';

/** A finding with the key it would get in `mlops.yaml`. */
export interface KeyedFinding extends Finding {
  /** `train.learning_rate` under params, the dataset name for reads, the env variable for secrets. */
  key: string;
}

export class PythonAnalysis {
  private readonly parser = new IncrementalParser();
  private cache = new Map<string, Finding[]>();
  /** Statements re-scanned by the last `analyse`, for tests and the benchmark. */
  rescanned = 0;

  /** Raw findings of `text`, in document order. */
  findings(text: string): Finding[] {
    const tree = this.parser.parse(text);
    const next = new Map<string, Finding[]>();
    const out: Finding[] = [];
    this.rescanned = 0;
    const cursor = tree.rootNode.walk();
    try {
      if (!cursor.gotoFirstChild()) return out;
      do {
        if (cursor.nodeType === 'comment') continue;
        const start = cursor.startIndex;
        const key = text.slice(start, cursor.endIndex);
        let rel = next.get(key) ?? this.cache.get(key);
        if (!rel) {
          this.rescanned++;
          rel = scanStatement(cursor.currentNode).map((f) => ({ ...f, start: f.start - start, end: f.end - start, ...(f.site !== undefined ? { site: f.site - start } : {}) }));
        }
        next.set(key, rel);
        for (const f of rel) out.push({ ...f, start: f.start + start, end: f.end + start, ...(f.site !== undefined ? { site: f.site + start } : {}) });
      } while (cursor.gotoNextSibling());
    } finally {
      cursor.delete();
    }
    this.cache = next;
    return out;
  }

  dispose(): void {
    this.parser.dispose();
  }
}

function onIgnoredLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  return IGNORE.test(text.slice(lineStart, lineEnd));
}

/**
 * Test files exercise code with made-up values on purpose: `test_*.py`, `*_test.py`,
 * `conftest.py`, and anything in a `test/` or `tests/` folder. With the project's `mlops.yaml`
 * location known, folders count only inside the project, so a project that happens to live
 * under some `…/test/…` folder is still analysed. Relative paths are taken as project-relative.
 */
export function isTestFile(uri: string, configUri?: string): boolean {
  const clean = (u: string): string => decodeURIComponent(u.split(/[?#]/)[0] ?? '').replace(/\\/g, '/');
  let path = clean(uri);
  const base = path.split('/').pop() ?? '';
  if (/^test_.*\.py$|_test\.py$|^conftest\.py$/i.test(base)) return true;
  const root = configUri === undefined ? undefined : clean(configUri).replace(/\/[^/]*$/, '/');
  if (root && path.startsWith(root)) path = path.slice(root.length);
  return /(^|\/)tests?\//i.test(path);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)));
}

const SYNONYMS: string[][] = [
  ['seed', 'random_state', 'random_seed'],
  ['learning_rate', 'lr', 'eta'],
  ['epochs', 'num_epochs', 'n_epochs', 'max_epochs', 'num_train_epochs'],
];

function sameName(a: string, b: string): boolean {
  return a === b || SYNONYMS.some((s) => s.includes(a) && s.includes(b));
}

/**
 * Suggested keys: equal values of the same kind share one key, an existing params key holding the
 * same value is reused, and a taken key gets a numbered variant.
 */
export function assignKeys(findings: Finding[], project: ProjectIndex): KeyedFinding[] {
  const bySignature = new Map<string, string>();
  const used = new Map<string, unknown>(project.params);
  const datasetsUsed = new Set(project.datasets);
  const suffixes = new Map<string, number>();
  return findings.map((f) => {
    if (f.rule === 'credential') return { ...f, key: envName(f.name) };
    const sig = `${f.rule === 'data-path' ? 'path' : f.name}|${String(f.value)}`;
    const known = bySignature.get(sig);
    if (known) return { ...f, key: known };
    let key: string;
    if (f.rule === 'data-path') {
      key = f.name;
      for (let n = 2; datasetsUsed.has(key); n++) key = `${f.name}_${n}`;
      datasetsUsed.add(key);
    } else {
      const existing = [...project.params].find(([k, v]) => sameValue(v, f.value) && sameName(k.split('.').pop() ?? '', f.name));
      const base = `${f.group}.${f.name}`;
      key = existing?.[0] ?? base;
      // Numbered variants continue from the last one handed out (linear, not quadratic, in repeats).
      for (let n = suffixes.get(base) ?? 2; !existing && used.has(key) && !sameValue(used.get(key), f.value); n++) {
        key = `${base}_${n}`;
        suffixes.set(base, n + 1);
      }
      used.set(key, f.value);
    }
    bySignature.set(sig, key);
    return { ...f, key };
  });
}

function envName(name: string): string {
  const base = name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return /^[A-Z_][A-Z0-9_]*$/.test(base) ? base : 'API_TOKEN';
}

/** Findings that survive exemptions, with keys. */
export function keyedFindings(analysis: PythonAnalysis, text: string, uri: string, config: { uri: string; text?: string } | undefined): KeyedFinding[] {
  if (isTestFile(uri, config?.uri)) return [];
  const project = indexProject(config?.text);
  const kept = analysis.findings(text).filter((f) => {
    if (onIgnoredLine(text, f.start)) return false;
    // A path the project already declares is tracked: the literal is fine where it is.
    return !(f.rule === 'data-path' && typeof f.value === 'string' && project.declaredPaths.has(normalisePath(f.value)));
  });
  return assignKeys(kept, project);
}
