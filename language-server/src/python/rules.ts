/**
 * The rules, applied to one top-level statement at a time so results can be cached per
 * statement. Each finding is a literal the user could move into `mlops.yaml` (or, for secrets,
 * into the environment), with the key it would get. Precision over recall: anything ambiguous is
 * left alone.
 */
import { type Node } from 'web-tree-sitter';
import { calleeName, isConfigRead, isInteger, looksLikeTemplate, numberValue, stringValue, type LiteralValue } from './literals';
import { pathExpression } from './paths';
import {
  CREDENTIAL_NAME,
  PATH_KEYWORDS,
  PATH_KEYWORD_IO,
  SEED_KEYWORDS,
  SEED_NAME,
  STRONG_HYPERPARAMS,
  TOKEN_SHAPE,
  WEAK_HYPERPARAMS,
  hyperparameterName,
  isDatasetCall,
  isDemoDataCall,
  isParamKey,
  isTunableKeyword,
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
  /** A path assembled from parts (`os.path.join(DIR, "x.csv")`): reported, not moved. */
  built?: boolean;
  /** Not training configuration for sure (a seed drawing demo data): shown as a hint. */
  hint?: boolean;
  /** Where it was found, for messages: `RandomForestClassifier(max_depth=…)`. */
  where: string;
  /** Offset of the call or dict it is an argument or entry of: settings of one site are shown together. */
  site?: number;
}

/** Exempt as generic numbers: they are almost never tuned (flags, identity elements, "all"). */
const TRIVIAL = new Set([0, 1, -1]);

function groupOf(name: string): string {
  if (/^(test_size|val_size|validation_split|train_size|n_splits|k_folds|n_folds|num_folds|cv|nfold|split_fraction)$/.test(name)) return 'split';
  if (/threshold|cutoff/.test(name)) return 'evaluate';
  return 'train';
}

interface NumberOptions {
  /** Accept 0, 1 and -1 (seeds). */
  trivial?: boolean;
  /** Accept 1 (a named hyperparameter: `max_depth=1`, `eta: 1`). */
  one?: boolean;
  hint?: boolean;
}

/** What a call's arguments are read against. */
interface CallContext {
  callee: string;
  short: string;
  ml: boolean;
  io: IoKind | 'open' | undefined;
  dataset: boolean;
  demo: boolean;
}

const LITERAL_TYPES = new Set(['integer', 'float', 'string', 'none', 'true', 'false', 'unary_operator']);

/** A list of at least two literal values: a grid of candidates (`[0.1, 1, 10]`). */
function isGrid(node: Node, min = 2): boolean {
  if (node.type !== 'list' && node.type !== 'tuple') return false;
  const items = node.namedChildren.filter((c): c is Node => c !== null);
  return items.length >= min && items.every((c) => LITERAL_TYPES.has(c.type) && (c.type !== 'unary_operator' || numberValue(c) !== undefined));
}

const PATH_NAME = /(path|dir|file|uri|url|folder|csv|parquet|root)$|^(path|file|url)_/i;
const WRITE_NAME = /(^|_)(out|output|save|export|model|checkpoint|ckpt|artifact|result|report|plot|fig)/i;
const GRID_NAME = /(^|_)(range|grid|values|candidates|space)$/i;
const HUB_ONLY = /^(from_pretrained)$/;

class StatementScan {
  readonly findings: Finding[] = [];
  private readonly seen = new Set<number>();
  /** The call or dict being read, when any. */
  private site: number | undefined;

  add(f: Omit<Finding, 'group'> & { group?: string }): void {
    if (this.seen.has(f.start)) return;
    this.seen.add(f.start);
    this.findings.push({ ...f, group: f.group ?? groupOf(f.name), ...(this.site !== undefined ? { site: this.site } : {}) });
  }

  /** Runs `read` with findings attributed to the node starting at `site`. */
  at(site: number, read: () => void): void {
    const outer = this.site;
    this.site = site;
    try {
      read();
    } finally {
      this.site = outer;
    }
  }

  number(node: Node, rule: PythonRule, name: string, where: string, opts: NumberOptions = {}): void {
    const v = numberValue(node);
    if (v === undefined || (!opts.trivial && TRIVIAL.has(v) && !(opts.one && v === 1))) return;
    if (rule === 'seed' && !isInteger(node)) return;
    this.add({ rule, start: node.startIndex, end: node.endIndex, value: v, name, where, ...(opts.hint ? { hint: true } : {}) });
  }

  /** A number, or each number of a tuple or list (`betas=(beta1, 0.999)`). */
  numbers(node: Node, rule: PythonRule, name: string, where: string, opts: NumberOptions = {}): void {
    if (node.type !== 'tuple' && node.type !== 'list') return this.number(node, rule, name, where, opts);
    for (const c of node.namedChildren) if (c) this.number(c, rule, name, where, { hint: opts.hint });
  }

  /** Candidate values of a search, as one finding: `"C": [0.1, 1, 10]`. */
  grid(node: Node, name: string, where: string): void {
    this.add({ rule: 'hyperparameter', start: node.startIndex, end: node.endIndex, value: node.text.replace(/\s+/g, ' '), name, where });
  }

  /** `callee` is set for the argument of an I/O call: there any file name with an extension is a path. */
  path(node: Node, io: IoKind, where: string, name?: string, callee?: string): void {
    const p = pathExpression(node);
    if (!p || /[*?[]/.test(p.probe)) return;
    const url = /^https?:\/\/\S+$/i.test(p.probe);
    const fileName = callee !== undefined && /^[\w.-]+\.[A-Za-z]\w{0,9}$/.test(p.probe);
    const kind = url ? 'cloud' : (pathKind(p.probe) ?? (fileName ? 'relative' : undefined));
    if (!kind || (io === 'read' && isConfigFile(p.probe))) return;
    // A hub name (`bert-base-uncased`, `org/model`) is no file: only explicit local paths count.
    if (callee !== undefined && HUB_ONLY.test(callee) && !/^(\.{1,2}\/|\/|~)/.test(p.probe)) return;
    const value = p.value;
    this.add({ rule: 'data-path', start: p.start, end: p.end, value, name: name ?? datasetName(value), group: 'data', pathKind: kind, io, where, ...(p.built ? { built: true } : {}) });
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
    const all = args.namedChildren.filter((a): a is Node => a !== null);
    const keywords = new Set(all.filter((a) => a.type === 'keyword_argument').map((a) => a.childForFieldName('name')?.text ?? ''));
    const ctx: CallContext = { callee, short, ml: takesWeakHyperparams(callee), io: ioKind(callee), dataset: isDatasetCall(short, keywords), demo: isDemoDataCall(short) };
    this.joined(node);
    let mode: string | undefined;
    for (const arg of all) {
      if (arg.type !== 'keyword_argument') continue;
      const kw = arg.childForFieldName('name')?.text ?? '';
      const value = arg.childForFieldName('value');
      if (!value) continue;
      if (kw === 'mode') mode = stringValue(value);
      this.keyword(kw, value, `${short}(${kw}=…)`, ctx);
    }
    this.positional(ctx, all.filter((a) => a.type !== 'keyword_argument'), mode);
    return true;
  }

  private keyword(kw: string, value: Node, where: string, ctx: CallContext): void {
    if (SEED_KEYWORDS.has(kw)) return this.number(value, 'seed', 'seed', where, { trivial: true, hint: ctx.demo });
    if (STRONG_HYPERPARAMS.has(kw) || isTunableKeyword(ctx.short, kw) || (ctx.ml && WEAK_HYPERPARAMS.has(kw)) || (ctx.short === 'dict' && isParamKey(kw))) {
      // A batch of one is how a model is exported or served, not a training choice.
      return this.numbers(value, 'hyperparameter', kw, where, { one: !/batch_size$/.test(kw) });
    }
    if (CREDENTIAL_NAME.test(kw)) return this.credential(value, where, true, kw);
    const io = PATH_KEYWORD_IO[kw] ?? (ctx.io && ctx.io !== 'open' && (PATH_KEYWORDS.has(kw) || kw === 'filepath') ? ctx.io : undefined) ?? (kw === 'root' && ctx.dataset ? 'read' : undefined);
    if (io) this.path(value, io, where, undefined, ctx.short);
  }

  private positional(ctx: CallContext, args: Node[], mode: string | undefined): void {
    const { callee, short, io } = ctx;
    args.forEach((arg, i) => {
      const hp = positionalHyperparameter(callee, i);
      if (hp) this.numbers(arg, 'hyperparameter', hp, `${short}(…)`, { one: true });
    });
    const first = args[0];
    if (isSeedCall(callee) && first) this.number(first, 'seed', 'seed', `${short}(…)`, { trivial: true });
    if (!first) return;
    if (ctx.dataset) return this.path(first, 'read', `${short}(…)`, undefined, short);
    if (!io) return;
    if (io === 'open') {
      const m = mode ?? (args[1] ? stringValue(args[1]) : undefined) ?? 'r';
      return this.path(first, /[wax+]/.test(m) ? 'write' : 'read', `${short}(…)`, undefined, short);
    }
    // Writers take the object first (`torch.save(model, path)`), numpy writers the path first.
    const candidates = io === 'write' ? args.slice(0, 2) : [first];
    for (const c of candidates) this.path(c, io, `${short}(…)`, undefined, short);
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
    if (!/(^|[._\W])(y_?)?(prob|probs|proba|probas|probability|probabilities|pred|preds|prediction|predictions|predicted|score|scores|logit|logits|confidence|sigmoid|y_hat|yhat|outputs?|precisions?|recalls?|tpr|fpr|f1s?)\d*(\b|_)/i.test(other.text)) return;
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
    if (subscriptKey !== undefined) return this.subscriptAssignment(subscriptKey, right);
    if (!name) return;
    // Assignments count at any depth: `precision_threshold = 0.98` inside a function is as hardcoded.
    this.named(name, right, `${name} = …`, node.type === 'augmented_assignment');
  }

  private subscriptAssignment(key: string, right: Node): void {
    const where = `[${JSON.stringify(key)}] = …`;
    if (SEED_KEYWORDS.has(key)) this.number(right, 'seed', 'seed', where, { trivial: true });
    else if (isParamKey(key)) this.numbers(right, 'hyperparameter-assignment', key.split('__').pop() ?? key, where, { one: true });
  }

  /** A value bound to a name: an assignment or a parameter's default. */
  named(name: string, right: Node, where: string, augmented = false): void {
    if (SEED_NAME.test(name)) this.number(right, 'seed', 'seed', where, { trivial: true });
    const hp = hyperparameterName(name);
    if (hp) this.numbers(right, 'hyperparameter-assignment', hp, where, { one: true });
    if (augmented) return;
    if (GRID_NAME.test(name) && isGrid(right, 3) && right.namedChildren.some((c) => c && numberValue(c) !== undefined)) this.grid(right, name.toLowerCase(), where);
    if (PATH_NAME.test(name)) {
      // Word parts only: `CONFIG_PATH` is no figure, `OUTPUT_DIR` and `model_path` are outputs.
      const io: IoKind = WRITE_NAME.test(name) ? 'write' : 'read';
      this.path(right, io, where);
    }
  }

  defaultParameter(node: Node): void {
    const name = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    // A plotting helper's defaults (`alpha=0.5`) style a figure.
    const fn = node.parent?.parent;
    if (fn?.type === 'function_definition' && /^_?(plot|draw|show|display|visuali[sz]e|render)/i.test(fn.childForFieldName('name')?.text ?? '')) return;
    if (name?.type === 'identifier' && value) this.named(name.text, value, `${name.text}=… (a default)`);
  }

  /** `os.path.join(BASE, "../data/train.csv")` anywhere: a literal that is a path on its own inside a path builder. */
  joined(node: Node): void {
    const callee = calleeName(node.childForFieldName('function'));
    if (!/^(os\.path\.join|Path|pathlib\.Path)$/.test(callee)) return;
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    const lit = args.find((a) => a?.type === 'string' && /[/\\]|\.\w{2,5}$/.test(stringValue(a) ?? ''));
    if (lit) this.path(node, 'read', `${callee}(…)`);
  }

  pair(node: Node): void {
    const key = node.childForFieldName('key');
    const value = node.childForFieldName('value');
    if (!key || !value) return;
    const k = stringValue(key);
    if (k === undefined) return;
    const where = `"${k}": …`;
    if (CREDENTIAL_NAME.test(k)) this.credential(value, where, true, k);
    else if (SEED_KEYWORDS.has(k)) this.number(value, 'seed', 'seed', where, { trivial: true });
    else if (isGrid(value) && (isGridKey(k) || siblingGrid(node))) this.grid(value, k.split('__').pop() ?? k, where);
    else if (isParamKey(k)) this.numbers(value, 'hyperparameter', k.split('__').pop() ?? k, where, { one: true });
  }

  /** `("max_depth", 2)` in a list of parameter pairs. */
  tuple(node: Node): void {
    const items = node.namedChildren.filter((c): c is Node => c !== null);
    const [k, v] = items;
    const key = items.length === 2 && k && v ? stringValue(k) : undefined;
    if (key !== undefined && v && isParamKey(key)) this.number(v, 'hyperparameter', key, `("${key}", …)`, { one: true });
  }
}

/** A pair in a dict that is a search grid: another pair of it holds candidates for a known parameter. */
function siblingGrid(pair: Node): boolean {
  const dict = pair.parent;
  if (dict?.type !== 'dictionary') return false;
  return dict.namedChildren.some((p) => {
    if (!p || p.type !== 'pair' || p.id === pair.id) return false;
    const k = p.childForFieldName('key');
    const v = p.childForFieldName('value');
    const ks = k ? stringValue(k) : undefined;
    return ks !== undefined && v !== null && isGrid(v) && isGridKey(ks);
  });
}

/** A key whose list of values is a search grid: a training parameter, short ones (`C`, `gamma`) included. */
function isGridKey(key: string): boolean {
  return isParamKey(key) || WEAK_HYPERPARAMS.has(key.split('__').pop() ?? key);
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
  const scan = new StatementScan();
  const cursor = stmt.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      let descend = true;
      if (type === 'call') {
        const node = cursor.currentNode;
        scan.at(node.startIndex, () => (descend = scan.call(node)));
      }
      else if (type === 'comparison_operator') scan.comparison(cursor.currentNode);
      else if (type === 'assignment' || type === 'augmented_assignment') scan.assignment(cursor.currentNode);
      else if (type === 'default_parameter' || type === 'typed_default_parameter') scan.defaultParameter(cursor.currentNode);
      else if (type === 'pair') {
        const node = cursor.currentNode;
        scan.at(node.parent?.startIndex ?? node.startIndex, () => scan.pair(node));
      } else if (type === 'tuple') {
        const node = cursor.currentNode;
        scan.at(node.parent?.startIndex ?? node.startIndex, () => scan.tuple(node));
      }
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
