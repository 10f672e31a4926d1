/**
 * The rules, applied to one top-level statement at a time so results can be cached per
 * statement. Each finding is a literal the user could move into `mlops.yaml` (or, for secrets,
 * into the environment), with the key it would get. Precision over recall: anything ambiguous is
 * left alone.
 */
import { type Node } from 'web-tree-sitter';
import { calleeName, isConfigRead, isInteger, looksLikeTemplate, numberValue, stringValue, type LiteralValue } from './literals';
import {
  CREDENTIAL_NAME,
  PATH_KEYWORDS,
  SEED_KEYWORDS,
  SEED_NAME,
  STRONG_HYPERPARAMS,
  TOKEN_SHAPE,
  WEAK_HYPERPARAMS,
  hyperparameterName,
  takesWeakHyperparams,
  ioKind,
  isConfigFile,
  isPlaceholder,
  isSeedCall,
  pathKind,
  positionalHyperparameter,
  type IoKind,
} from './vocabulary';

export const PYTHON_RULES = ['hyperparameter', 'hyperparameter-assignment', 'data-path', 'seed', 'threshold', 'credential'] as const;
export type PythonRule = (typeof PYTHON_RULES)[number];

export interface Finding {
  rule: PythonRule;
  /** Offsets of the literal in the analysed text. */
  start: number;
  end: number;
  value: LiteralValue;
  /** Suggested leaf key (`learning_rate`) and group (`train`). */
  name: string;
  group: string;
  /** For data paths: how the path reads and whether the call reads or writes it. */
  pathKind?: 'absolute' | 'home' | 'cloud' | 'relative';
  io?: IoKind;
  /** Where it was found, for messages: `RandomForestClassifier(max_depth=…)`. */
  where: string;
}

/** Exempt as generic numbers: they are almost never tuned (flags, identity elements, "all"). */
const TRIVIAL = new Set([0, 1, -1]);

function groupOf(name: string): string {
  if (/^(test_size|val_size|validation_split|train_size|n_splits|k_folds|n_folds|num_folds)$/.test(name)) return 'split';
  if (/threshold|cutoff/.test(name)) return 'evaluate';
  return 'train';
}

class StatementScan {
  readonly findings: Finding[] = [];
  private readonly seen = new Set<number>();

  constructor(private readonly topLevel: Node) {}

  add(f: Omit<Finding, 'group'> & { group?: string }): void {
    if (this.seen.has(f.start)) return;
    this.seen.add(f.start);
    this.findings.push({ ...f, group: f.group ?? groupOf(f.name) });
  }

  number(node: Node, rule: PythonRule, name: string, where: string, allowTrivial = false): void {
    const v = numberValue(node);
    if (v === undefined || (!allowTrivial && TRIVIAL.has(v))) return;
    if (rule === 'seed' && !isInteger(node)) return;
    this.add({ rule, start: node.startIndex, end: node.endIndex, value: v, name, where });
  }

  path(node: Node, io: IoKind, where: string, name?: string): void {
    const s = stringValue(node);
    if (s === undefined || looksLikeTemplate(s) || /[*?[]/.test(s)) return;
    const kind = pathKind(s);
    if (!kind || (io === 'read' && isConfigFile(s))) return;
    this.add({ rule: 'data-path', start: node.startIndex, end: node.endIndex, value: s, name: name ?? datasetName(s), group: 'data', pathKind: kind, io, where });
  }

  credential(node: Node | null, where: string, byName: boolean, name = 'API_TOKEN'): void {
    if (!node) return;
    const s = stringValue(node);
    if (s === undefined || isPlaceholder(s) || looksLikeTemplate(s)) return;
    if (!byName && !TOKEN_SHAPE.test(s)) return;
    if (byName && (s.length < 8 || /^[a-z]+$/.test(s) || pathKind(s))) return;
    this.add({ rule: 'credential', start: node.startIndex, end: node.endIndex, value: s, name, group: 'env', where });
  }

  /** Returns false when the call's arguments must not be looked into (configuration reads). */
  call(node: Node): boolean {
    const callee = calleeName(node.childForFieldName('function'));
    if (!callee || isConfigRead(callee)) return false;
    const args = node.childForFieldName('arguments');
    if (!args || args.type !== 'argument_list') return true;
    const short = callee.split('.').pop() ?? callee;
    const ml = takesWeakHyperparams(callee);
    const io = ioKind(callee);
    const positional: Node[] = [];
    let mode: string | undefined;
    for (const arg of args.namedChildren) {
      if (!arg) continue;
      if (arg.type !== 'keyword_argument') {
        positional.push(arg);
        continue;
      }
      const kw = arg.childForFieldName('name')?.text ?? '';
      const value = arg.childForFieldName('value');
      if (!value) continue;
      if (kw === 'mode') mode = stringValue(value);
      this.keyword(kw, value, `${short}(${kw}=…)`, ml, io);
    }
    this.positional(callee, short, positional, io, mode);
    return true;
  }

  private keyword(kw: string, value: Node, where: string, ml: boolean, io: ReturnType<typeof ioKind>): void {
    if (SEED_KEYWORDS.has(kw)) this.number(value, 'seed', 'seed', where, true);
    else if (STRONG_HYPERPARAMS.has(kw) || (ml && WEAK_HYPERPARAMS.has(kw))) this.number(value, 'hyperparameter', kw, where);
    else if (CREDENTIAL_NAME.test(kw)) this.credential(value, where, true, kw);
    else if (io && io !== 'open' && PATH_KEYWORDS.has(kw)) this.path(value, io, where);
  }

  private positional(callee: string, short: string, args: Node[], io: ReturnType<typeof ioKind>, mode: string | undefined): void {
    args.forEach((arg, i) => {
      const hp = positionalHyperparameter(callee, i);
      if (hp) this.number(arg, 'hyperparameter', hp, `${short}(…)`);
    });
    const first = args[0];
    if (isSeedCall(callee) && first) this.number(first, 'seed', 'seed', `${short}(…)`, true);
    if (!io || !first) return;
    if (io === 'open') {
      const m = mode ?? (args[1] ? stringValue(args[1]) : undefined) ?? 'r';
      this.path(first, /[wax+]/.test(m) ? 'write' : 'read', `${short}(…)`);
      return;
    }
    // Writers take the object first (`torch.save(model, path)`), numpy writers the path first.
    const candidates = io === 'write' ? args.slice(0, 2) : [first];
    for (const c of candidates) if (c.type === 'string') this.path(c, io, `${short}(…)`);
  }

  comparison(node: Node): void {
    const ops = node.children.filter((c) => c && /^[<>]=?$/.test(c.type));
    if (ops.length !== 1) return;
    const parts = node.namedChildren.filter((c): c is Node => c !== null);
    if (parts.length !== 2) return;
    const [a, b] = parts as [Node, Node];
    const [lit, other] = numberValue(a) !== undefined ? [a, b] : [b, a];
    const v = numberValue(lit);
    if (v === undefined || v <= 0 || v >= 1 || lit.type !== 'float') return;
    if (!/(^|[._\W])(y_?)?(prob|probs|proba|probas|probability|probabilities|pred|preds|prediction|predictions|predicted|score|scores|logit|logits|confidence|sigmoid|y_hat|yhat|outputs?)(\b|_)/i.test(other.text)) return;
    this.add({ rule: 'threshold', start: lit.startIndex, end: lit.endIndex, value: v, name: 'threshold', group: 'evaluate', where: 'a comparison with predictions' });
  }

  assignment(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    const name = left.type === 'identifier' ? left.text : left.type === 'attribute' ? (left.childForFieldName('attribute')?.text ?? '') : '';
    const subscriptKey = left.type === 'subscript' ? stringValue(left.childForFieldName('subscript') ?? left) : undefined;
    if (CREDENTIAL_NAME.test(name) || (subscriptKey && CREDENTIAL_NAME.test(subscriptKey))) {
      this.credential(right, `${name || subscriptKey} = …`, true, name || subscriptKey);
      return;
    }
    if (!this.isTopLevel(node) || left.type !== 'identifier') return;
    const where = `${name} = …`;
    if (SEED_NAME.test(name)) this.number(right, 'seed', 'seed', where, true);
    const hp = hyperparameterName(name);
    if (hp) this.number(right, 'hyperparameter-assignment', hp, where);
    if (/(path|dir|file|uri|url|folder|csv|parquet)$/i.test(name)) {
      // Word parts only: `CONFIG_PATH` is no figure, `OUTPUT_DIR` and `model_path` are outputs.
      const io: IoKind = /(^|_)(out|output|save|export|model|checkpoint|ckpt|artifact|result|report|plot|fig)/i.test(name) ? 'write' : 'read';
      this.path(right, io, where, datasetName(stringValue(right) ?? name));
    }
  }

  /** Module level (a notebook cell's top level is the module's): `x = …` directly in the statement. */
  private isTopLevel(node: Node): boolean {
    const parent = node.parent;
    return parent !== null && parent.startIndex === this.topLevel.startIndex && parent.endIndex === this.topLevel.endIndex && parent.type === 'expression_statement';
  }

  pair(node: Node): void {
    const key = node.childForFieldName('key');
    const value = node.childForFieldName('value');
    if (!key || !value) return;
    const k = stringValue(key);
    if (k === undefined) return;
    if (CREDENTIAL_NAME.test(k)) this.credential(value, `"${k}": …`, true, k);
    else if (SEED_KEYWORDS.has(k)) this.number(value, 'seed', 'seed', `"${k}": …`, true);
    else if (STRONG_HYPERPARAMS.has(k)) this.number(value, 'hyperparameter', k, `"${k}": …`);
  }
}

/** A dataset name from a path: `data/raw/train.csv` → `train`. */
export function datasetName(path: string): string {
  const base = path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? 'data';
  const stem = base.replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^[^a-z]+/, '');
  return stem.slice(0, 40) || 'data';
}

/** The marker that silences a line, or a whole multi-line call or statement when on its first line. */
export const IGNORE = /#\s*mlops:\s*ignore\b/i;

/** Blocks are not silenced as a whole: a marker on `def f(...):` must not hide the function's body. */
const COMPOUND = /^(if|for|while|try|with|match|async_for|async_with)_statement$|^(function|class|decorated)_definition$/;

/** Whether a call or simple statement around `node` (up to `stmt`) carries the marker on its first line. */
function ignoredByEnclosing(node: Node | null, stmt: Node): boolean {
  for (let n = node; n; n = n.parent) {
    const multiLine = n.startPosition.row !== n.endPosition.row;
    if (multiLine && (n.type === 'call' || (/_statement$/.test(n.type) && !COMPOUND.test(n.type)))) {
      const text = n.text;
      if (IGNORE.test(text.slice(0, text.indexOf('\n')))) return true;
    }
    if (n.id === stmt.id) break;
  }
  return false;
}

/** All findings of one top-level statement, with offsets in the whole text. */
export function scanStatement(stmt: Node): Finding[] {
  const findings = walkStatement(stmt);
  if (!findings.length || !IGNORE.test(stmt.text)) return findings;
  return findings.filter((f) => !ignoredByEnclosing(stmt.descendantForIndex(f.start, f.end), stmt));
}

function walkStatement(stmt: Node): Finding[] {
  const scan = new StatementScan(stmt);
  const cursor = stmt.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      let descend = true;
      if (type === 'call') descend = scan.call(cursor.currentNode);
      else if (type === 'comparison_operator') scan.comparison(cursor.currentNode);
      else if (type === 'assignment') scan.assignment(cursor.currentNode);
      else if (type === 'pair') scan.pair(cursor.currentNode);
      else if (type === 'string') {
        scan.credential(cursor.currentNode, 'a string literal', false);
        descend = false;
      } else if (type === 'comment' || type === 'integer' || type === 'float' || type === 'identifier') descend = false;
      if (descend && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return scan.findings;
      }
    }
  } finally {
    cursor.delete();
  }
}
