/**
 * Def/use analysis of a sectioned notebook. Each section's top-level statements are walked in
 * order (names.ts); a name read before the section binds it is an input, produced by the latest
 * earlier section that assigns or mutates it; functions and classes travel to the sections that
 * use them, bringing their free variables as inputs. What cannot be converted faithfully is refused
 * with its cell and line.
 */
import { type Node, type Parser } from 'web-tree-sitter';
import { type CellPlace, type ConvertProblem } from '../../../schemas/src/convert';
import { scanStatement, type Finding } from '../python/rules';
import { NameWalker, type NameSink, type ScopeSummary } from './names';
import { type TranslatedCell } from './notebook';
import { type Section } from './sections';

const BUILTINS = new Set(
  ('abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits delattr dict dir divmod ' +
    'enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list ' +
    'locals map max memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str ' +
    'sum super tuple type vars zip True False None Ellipsis NotImplemented __name__ __file__ __doc__ __builtins__ display get_ipython').split(' '),
);
const EXCEPTION = /^[A-Z]\w*(Error|Exception|Warning|Exit|Interrupt|Iteration)$|^(BaseExceptionGroup|ExceptionGroup)$/;

/** Calls whose result cannot be pickled: handles, connections, locks, generators. */
const UNPICKLABLE_CALL = /^(open|io\.open|gzip\.open|bz2\.open|sqlite3\.connect|socket\.socket|threading\.(Lock|RLock|Thread|Event)|multiprocessing\.\w+|csv\.(reader|writer|DictReader|DictWriter)|urllib\.request\.urlopen|requests\.Session|tempfile\.\w+File)$/;

export interface Statement {
  node: Node;
  cell: TranslatedCell;
  /** Last top-level statement of its cell (a bare expression there is displayed). */
  last: boolean;
}

export interface DefInfo {
  name: string;
  section: number;
  source: string;
  scope: ScopeSummary;
  place: CellPlace;
}

export interface SectionFacts {
  section: Section;
  index: number;
  statements: Statement[];
  /** Value inputs by name, with where first read. */
  inputs: Map<string, CellPlace>;
  /** Values assigned or mutated here, with where last. */
  assigned: Map<string, CellPlace>;
  defs: Map<string, DefInfo>;
  /** Functions and classes of earlier sections this one uses (transitively), in notebook order. */
  travelled: DefInfo[];
  /** Import statements of earlier sections whose names this one uses. */
  imports: string[];
  findings: { finding: Finding; cell: TranslatedCell }[];
  /** Values assigned from something that cannot be pickled. */
  unpicklable: Map<string, CellPlace>;
  /** Whether the section draws figures (matplotlib, seaborn, pandas plotting). */
  plots: boolean;
}

type Binding = { kind: 'value'; section: number } | { kind: 'def'; def: DefInfo } | { kind: 'import'; text: string };

function placeOf(node: Node, cell: TranslatedCell): CellPlace {
  return { cell: cell.index, line: node.startPosition.row + 1 };
}

/** A node's text with the indentation of its first line removed from every line. */
function dedented(node: Node): string {
  const col = node.startPosition.column;
  if (!col) return node.text;
  const pad = new RegExp(`^ {0,${col}}`);
  return node.text.split('\n').map((l, i) => (i === 0 ? l : l.replace(pad, ''))).join('\n');
}

function calleeOf(n: Node | null): string {
  if (!n) return '';
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return `${calleeOf(n.childForFieldName('object'))}.${n.childForFieldName('attribute')?.text ?? ''}`;
  return '';
}

function unpicklableValue(right: Node | null): boolean {
  if (!right) return false;
  if (right.type === 'generator_expression') return true;
  return right.type === 'call' && UNPICKLABLE_CALL.test(calleeOf(right.childForFieldName('function')));
}

class SectionSink implements NameSink {
  readonly defined = new Set<string>();
  /** How each name defined here was bound last: what later sections see. */
  readonly kinds = new Map<string, Binding>();
  private readonly aliases = new Map<string, string[]>();
  private readonly expanding = new Set<string>();
  cell!: TranslatedCell;

  constructor(
    readonly facts: SectionFacts,
    private readonly bindings: Map<string, Binding>,
    private readonly refusals: ConvertProblem[],
    private readonly travelled: Map<string, DefInfo>,
    private readonly importsUsed: Set<string>,
  ) {}

  read(name: string, at: Node): void {
    if (this.defined.has(name)) {
      const local = this.facts.defs.get(name);
      if (local) this.useDef(local, at, true);
      return;
    }
    const b = this.bindings.get(name);
    if (b?.kind === 'def') return this.useDef(b.def, at, false);
    if (b?.kind === 'import') {
      this.importsUsed.add(b.text);
      return;
    }
    if (!b && (BUILTINS.has(name) || EXCEPTION.test(name))) return;
    if (!this.facts.inputs.has(name)) this.facts.inputs.set(name, placeOf(at, this.cell));
  }

  /** A function or class used: its free variables are read now, what it changes is changed now. */
  private useDef(def: DefInfo, at: Node, local: boolean): void {
    if (this.expanding.has(def.name)) return;
    this.expanding.add(def.name);
    try {
      if (!local) this.travelled.set(def.name, def);
      for (const f of def.scope.free) if (f !== def.name) this.read(f, at);
      for (const m of def.scope.mutates) this.mutate(m, at);
      for (const g of def.scope.globalWrites) {
        if (!local) {
          this.refusals.push({ ...placeOf(at, this.cell), message: `${def.name} (defined in cell ${def.place.cell}) writes the global \`${g}\` from another section: make it return the value instead` });
        } else this.write(g, at);
      }
    } finally {
      this.expanding.delete(def.name);
    }
  }

  write(name: string, at: Node): void {
    this.defined.add(name);
    this.aliases.delete(name);
    this.facts.defs.delete(name);
    this.facts.unpicklable.delete(name);
    this.facts.assigned.set(name, placeOf(at, this.cell));
    this.kinds.set(name, { kind: 'value', section: this.facts.index });
  }

  mutate(name: string, at: Node): void {
    for (const n of [name, ...(this.aliases.get(name) ?? [])]) {
      if (!this.defined.has(n)) this.read(n, at);
      const b = this.bindings.get(n);
      const kind = this.defined.has(n) ? this.kinds.get(n)?.kind : b?.kind;
      if (kind === 'import' || kind === 'def') continue;
      this.facts.assigned.set(n, placeOf(at, this.cell));
      if (!this.defined.has(n)) this.kinds.set(n, { kind: 'value', section: this.facts.index });
    }
  }

  define(name: string, at: Node, scope: ScopeSummary): void {
    this.defined.add(name);
    this.facts.assigned.delete(name);
    const def = { name, section: this.facts.index, source: dedented(at), scope, place: placeOf(at, this.cell) };
    this.facts.defs.set(name, def);
    this.kinds.set(name, { kind: 'def', def });
  }

  alias(alias: string, of: string[]): void {
    this.aliases.set(alias, of.flatMap((o) => [o, ...(this.aliases.get(o) ?? [])]));
  }

  imported(name: string, stmt: Node): void {
    this.defined.add(name);
    this.aliases.delete(name);
    this.facts.defs.delete(name);
    this.facts.assigned.delete(name);
    this.kinds.set(name, { kind: 'import', text: stmt.text });
  }

  star(at: Node): void {
    this.refusals.push({ ...placeOf(at, this.cell), message: '`import *` hides which names a section uses: import the names you need by name' });
  }
}

const PLOTS = /\b(plt|pyplot|matplotlib|sns|seaborn)\b|\.plot\b|\.hist\(|\.imshow\(/;

function statementsOf(parser: Parser, cell: TranslatedCell, refusals: ConvertProblem[], keep: Node[]): Statement[] {
  const tree = parser.parse(cell.code);
  if (!tree) return [];
  const root = tree.rootNode;
  keep.push(root);
  if (root.hasError) {
    const bad = findError(root);
    refusals.push({ cell: cell.index, line: (bad?.startPosition.row ?? 0) + 1, message: 'this cell is not valid Python (after translating magics): fix the syntax' });
    return [];
  }
  const nodes = root.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  return nodes.map((node, i) => ({ node, cell, last: i === nodes.length - 1 }));
}

function findError(n: Node): Node | undefined {
  if (n.type === 'ERROR' || n.isMissing) return n;
  for (const c of n.children) {
    if (!c || !c.hasError) continue;
    const e = findError(c);
    if (e) return e;
  }
  return n;
}

export interface Analysis {
  facts: SectionFacts[];
  refusals: ConvertProblem[];
  /** Every tree parsed: the caller deletes them (`tree.delete()` through the root's tree). */
  roots: Node[];
}

/** Walks every section in order, then wires each input to its producer. */
export function analyseSections(parser: Parser, sections: { section: Section; cells: TranslatedCell[] }[]): Analysis {
  const refusals: ConvertProblem[] = [];
  const bindings = new Map<string, Binding>();
  const roots: Node[] = [];
  const facts: SectionFacts[] = [];
  sections.forEach(({ section, cells }, index) => {
    const f: SectionFacts = {
      section, index, statements: [], inputs: new Map(), assigned: new Map(), defs: new Map(), travelled: [], imports: [],
      findings: [], unpicklable: new Map(), plots: cells.some((c) => PLOTS.test(c.code.replace(/^\s*(import|from)\s.*$/gm, ''))),
    };
    const travelled = new Map<string, DefInfo>();
    const importsUsed = new Set<string>();
    const sink = new SectionSink(f, bindings, refusals, travelled, importsUsed);
    const walker = new NameWalker(sink);
    for (const cell of cells) {
      sink.cell = cell;
      for (const st of statementsOf(parser, cell, refusals, roots)) {
        f.statements.push(st);
        walker.statement(st.node);
        for (const finding of scanStatement(st.node)) f.findings.push({ finding, cell });
        noteUnpicklable(st.node, f, cell);
      }
    }
    for (const [name, b] of sink.kinds) bindings.set(name, b);
    f.travelled = [...travelled.values()].sort((a, b) => a.section - b.section || a.place.cell - b.place.cell || a.place.line - b.place.line);
    f.imports = [...importsUsed];
    facts.push(f);
  });
  return { facts, refusals, roots };
}

function noteUnpicklable(node: Node, f: SectionFacts, cell: TranslatedCell): void {
  const a = node.type === 'expression_statement' ? node.namedChild(0) : null;
  if (a?.type !== 'assignment') return;
  const left = a.childForFieldName('left');
  if (left?.type === 'identifier' && unpicklableValue(a.childForFieldName('right'))) f.unpicklable.set(left.text, placeOf(a, cell));
}

/** Producer of each input: the latest earlier section that assigns or mutates it; refusals for the rest. */
export function wire(analysis: Analysis): Map<number, Map<string, number>> {
  const producers = new Map<number, Map<string, number>>();
  for (const f of analysis.facts) {
    const own = new Map<string, number>();
    for (const [name, place] of f.inputs) {
      let from = -1;
      for (let j = f.index - 1; j >= 0; j--) if (analysis.facts[j]?.assigned.has(name)) {
        from = j;
        break;
      }
      const producer = analysis.facts[from];
      if (!producer) {
        analysis.refusals.push({ ...place, message: `\`${name}\` is read here but no earlier section defines it (run order matters: define it above, or remove the use)` });
        continue;
      }
      const bad = producer.unpicklable.get(name);
      if (bad) {
        analysis.refusals.push({ ...place, message: `\`${name}\` (assigned in cell ${bad.cell}, line ${bad.line}) cannot be pickled to pass it between stages (a file handle, connection or generator): create it in the section that uses it` });
        continue;
      }
      own.set(name, from);
    }
    producers.set(f.index, own);
  }
  return producers;
}
