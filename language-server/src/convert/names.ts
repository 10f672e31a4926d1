/**
 * Which names a piece of Python reads, binds and mutates, from the tree-sitter tree, in evaluation
 * order. Module-level code reports each event as it happens (order decides whether a read comes
 * before the section binds the name); function and class bodies are summarised as a scope: their
 * free variables (read when called), the outer names they mutate, and their `global` writes.
 */
import { type Node } from 'web-tree-sitter';

export interface NameSink {
  read(name: string, at: Node): void;
  write(name: string, at: Node): void;
  /** In-place change of the object bound to `name` (subscript/attribute assignment, mutating call, …). */
  mutate(name: string, at: Node): void;
  /** A def, class or `name = lambda …`: summarised, not walked as module code. */
  define(name: string, at: Node, scope: ScopeSummary): void;
  /** `y = x`, or a loop variable over a literal container of names: mutating `alias` mutates `of`. */
  alias(alias: string, of: string[]): void;
  star(at: Node): void;
  /** A name bound by an import statement (`stmt`): re-imported where used, never passed as a value. */
  imported(name: string, stmt: Node): void;
}

export interface ScopeSummary {
  free: Set<string>;
  mutates: Set<string>;
  globalWrites: Set<string>;
}

/** Methods that change their receiver (lists, dicts, sets, DataFrames, estimators). */
export const MUTATING_METHODS = new Set([
  'append', 'extend', 'insert', 'pop', 'popitem', 'remove', 'clear', 'update', 'setdefault', 'sort', 'reverse', 'add', 'discard',
  'fit', 'partial_fit', 'fit_transform', 'fit_predict', 'set_params', 'drop_duplicates_inplace', 'rename_axis_inplace',
  'set_index_inplace', 'resize', 'fill', 'put', 'itemset', 'setflags', 'shuffle', 'seed', 'load_state_dict', 'train', 'eval',
  'compile', 'set_weights', 'difference_update', 'intersection_update', 'symmetric_difference_update', 'appendleft', 'extendleft', 'rotate',
]);
/** Functions that change their first argument. */
const MUTATING_FUNCTIONS = /^((np|numpy)\.random\.shuffle|random\.shuffle|(np|numpy)\.copyto|(np|numpy)\.put|(np|numpy)\.place|(np|numpy)\.fill_diagonal|setattr|delattr)$/;

/** The name whose object an expression reaches into: `df.loc[0, "x"]` → `df`. */
export function rootName(node: Node | null): string | undefined {
  let n = node;
  while (n) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'attribute') n = n.childForFieldName('object');
    else if (n.type === 'subscript') n = n.childForFieldName('value');
    else if (n.type === 'parenthesized_expression') n = n.namedChild(0);
    else return undefined;
  }
  return undefined;
}

function dotted(fn: Node | null): string {
  if (!fn) return '';
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return `${dotted(fn.childForFieldName('object'))}.${fn.childForFieldName('attribute')?.text ?? ''}`;
  return '';
}

const kids = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);
const TARGET_LISTS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'as_pattern_target', 'list_splat_pattern', 'list_splat', 'parenthesized_expression']);

export class NameWalker {
  constructor(private readonly sink: NameSink) {}

  statement(node: Node): void {
    this.visit(node);
  }

  private visit(node: Node): void {
    const handler = this.handlers[node.type];
    if (handler) return handler(node);
    for (const c of kids(node)) this.visit(c);
  }

  private readonly handlers: Record<string, (n: Node) => void> = {
    identifier: (n) => this.sink.read(n.text, n),
    comment: () => undefined,
    string_content: () => undefined,
    attribute: (n) => this.visitOpt(n.childForFieldName('object')),
    keyword_argument: (n) => this.visitOpt(n.childForFieldName('value')),
    assignment: (n) => this.assignment(n),
    augmented_assignment: (n) => {
      this.visitOpt(n.childForFieldName('right'));
      const left = n.childForFieldName('left');
      if (left?.type === 'identifier') {
        // `x += …` changes a list in place (so its aliases) and rebinds the name.
        this.sink.read(left.text, left);
        this.sink.mutate(left.text, left);
        this.sink.write(left.text, left);
      } else if (left) this.target(left);
    },
    named_expression: (n) => {
      this.visitOpt(n.childForFieldName('value'));
      const name = n.childForFieldName('name');
      if (name) this.sink.write(name.text, name);
    },
    for_statement: (n) => this.forStatement(n),
    as_pattern: (n) => {
      for (const c of kids(n)) if (c.type !== 'as_pattern_target') this.visit(c);
      const alias = n.childForFieldName('alias');
      if (alias) this.target(alias);
    },
    import_statement: (n) => this.imports(n),
    import_from_statement: (n) => this.imports(n),
    future_import_statement: () => undefined,
    global_statement: () => undefined,
    nonlocal_statement: () => undefined,
    delete_statement: (n) => kids(n).forEach((t) => this.target(t.type === 'expression_list' ? t : t)),
    call: (n) => this.call(n),
    function_definition: (n) => this.definition(n),
    class_definition: (n) => this.definition(n),
    decorated_definition: (n) => {
      for (const c of kids(n)) if (c.type === 'decorator') this.visit(c);
      const def = n.childForFieldName('definition');
      if (def) this.definition(def, n);
    },
    for_in_clause: (n) => {
      this.visitOpt(n.childForFieldName('right'));
      const left = n.childForFieldName('left');
      if (left) this.target(left);
    },
    list_comprehension: (n) => this.comprehension(n),
    set_comprehension: (n) => this.comprehension(n),
    dictionary_comprehension: (n) => this.comprehension(n),
    generator_expression: (n) => this.comprehension(n),
    lambda: (n) => {
      const s = summariseScope(n);
      for (const f of s.free) this.sink.read(f, n);
    },
  };

  /** Comprehension variables stay inside it: only the names it reads from outside are reads. */
  private comprehension(n: Node): void {
    const c = new ScopeCollector();
    const inner = new NameWalker(c);
    for (const k of kids(n)) inner.statement(k);
    for (const r of c.reads) if (!c.writes.has(r)) this.sink.read(r, n);
    for (const m of c.mutates) if (!c.writes.has(m)) this.sink.mutate(m, n);
  }

  private visitOpt(n: Node | null): void {
    if (n) this.visit(n);
  }

  private assignment(n: Node): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const type = n.childForFieldName('type');
    if (type) this.visit(type);
    if (left?.type === 'identifier' && right?.type === 'lambda') {
      this.sink.define(left.text, n, summariseScope(right));
      return;
    }
    if (right) this.visit(right);
    if (!left) return;
    this.target(left);
    if (left.type === 'identifier' && right?.type === 'identifier') this.sink.alias(left.text, [right.text]);
  }

  private forStatement(n: Node): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (right) this.visit(right);
    if (left) this.target(left);
    // `for d in [train, test]: d["x"] = …` changes train and test.
    if (left?.type === 'identifier' && right && (right.type === 'list' || right.type === 'tuple')) {
      const names = kids(right).filter((c) => c.type === 'identifier').map((c) => c.text);
      if (names.length) this.sink.alias(left.text, names);
    }
    for (const c of kids(n)) if (c !== left && c !== right && c.id !== left?.id && c.id !== right?.id) this.visit(c);
  }

  /** A binding or in-place target. */
  target(t: Node): void {
    if (t.type === 'identifier') return this.sink.write(t.text, t);
    if (t.type === 'subscript' || t.type === 'attribute') {
      if (t.type === 'subscript') for (const s of t.childrenForFieldName('subscript')) if (s) this.visit(s);
      const base = t.type === 'subscript' ? t.childForFieldName('value') : t.childForFieldName('object');
      if (base && base.type !== 'identifier') this.visit(base);
      const root = rootName(t);
      if (root) {
        this.sink.read(root, t);
        this.sink.mutate(root, t);
      }
      return;
    }
    if (TARGET_LISTS.has(t.type)) {
      for (const c of kids(t)) this.target(c);
      return;
    }
    this.visit(t);
  }

  private imports(n: Node): void {
    for (const c of kids(n)) {
      if (c.type === 'wildcard_import') this.sink.star(c);
    }
    for (const name of n.childrenForFieldName('name')) {
      if (!name) continue;
      const alias = name.type === 'aliased_import' ? name.childForFieldName('alias') : null;
      const bound = alias ? alias.text : (name.type === 'aliased_import' ? (name.childForFieldName('name')?.text ?? '') : name.text).split('.')[0] ?? '';
      if (bound) this.sink.imported(bound, n);
    }
  }

  private call(n: Node): void {
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    this.visitOpt(fn);
    this.visitOpt(args);
    const argNodes = args ? kids(args) : [];
    if (fn?.type === 'attribute') {
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const receiver = rootName(fn.childForFieldName('object'));
      const inplace = argNodes.some((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'inplace' && a.childForFieldName('value')?.text === 'True');
      if (receiver && (MUTATING_METHODS.has(method) || inplace) && !MUTATING_FUNCTIONS.test(dotted(fn))) this.sink.mutate(receiver, n);
    }
    if (MUTATING_FUNCTIONS.test(dotted(fn))) {
      const first = rootName(argNodes[0] ?? null);
      if (first) this.sink.mutate(first, n);
    }
  }

  private definition(def: Node, outer: Node = def): void {
    const name = def.childForFieldName('name')?.text;
    // Defaults, annotations and base classes are evaluated at definition time.
    const params = def.childForFieldName('parameters');
    if (params) for (const p of kids(params)) for (const f of ['value', 'type']) this.visitOpt(p.childForFieldName(f));
    const bases = def.childForFieldName('superclasses');
    if (bases) this.visit(bases);
    if (name) this.sink.define(name, outer, summariseScope(def));
  }
}

/** Everything a local scope binds: parameters, assignment targets, imports, nested defs. */
class ScopeCollector implements NameSink {
  reads = new Set<string>();
  writes = new Set<string>();
  mutates = new Set<string>();
  nested: ScopeSummary[] = [];
  read(name: string): void {
    this.reads.add(name);
  }
  write(name: string): void {
    this.writes.add(name);
  }
  mutate(name: string): void {
    this.mutates.add(name);
  }
  define(name: string, _at: Node, scope: ScopeSummary): void {
    this.writes.add(name);
    this.nested.push(scope);
  }
  alias(): void {}
  star(): void {}
  imported(name: string): void {
    this.writes.add(name);
  }
}

function declared(node: Node, type: string, out: Set<string>): void {
  if (node.type === type) for (const c of kids(node)) if (c.type === 'identifier') out.add(c.text);
  if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') return;
  for (const c of kids(node)) declared(c, type, out);
}

function parameterNames(params: Node | null, out: Set<string>): void {
  if (!params) return;
  for (const p of kids(params)) {
    if (p.type === 'identifier') out.add(p.text);
    const name = p.childForFieldName('name') ?? kids(p).find((c) => c.type === 'identifier') ?? null;
    if (name?.type === 'identifier') out.add(name.text);
  }
}

/** Free variables, outer mutations and `global` writes of a function, class or lambda. */
export function summariseScope(def: Node): ScopeSummary {
  const c = new ScopeCollector();
  const walker = new NameWalker(c);
  const body = def.childForFieldName('body');
  const locals = new Set<string>();
  parameterNames(def.childForFieldName('parameters'), locals);
  const globals = new Set<string>();
  if (body) {
    declared(body, 'global_statement', globals);
    declared(body, 'nonlocal_statement', globals);
    if (body.type === 'block') for (const s of kids(body)) walker.statement(s);
    else walker.statement(body);
  }
  // Comprehension variables are local to the comprehension; counted as locals here (precision over recall).
  for (const w of c.writes) if (!globals.has(w)) locals.add(w);
  const free = new Set([...c.reads].filter((r) => !locals.has(r)));
  for (const n of c.nested) for (const f of n.free) if (!locals.has(f)) free.add(f);
  const mutates = new Set([...c.mutates].filter((m) => !locals.has(m)));
  for (const n of c.nested) for (const m of n.mutates) if (!locals.has(m)) mutates.add(m);
  const globalWrites = new Set([...c.writes].filter((w) => globals.has(w)));
  for (const n of c.nested) n.globalWrites.forEach((g) => globalWrites.add(g));
  if (def.type === 'class_definition') free.delete(def.childForFieldName('name')?.text ?? '');
  return { free, mutates, globalWrites };
}
