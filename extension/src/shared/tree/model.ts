/**
 * The data of a two-level tree (groups → leaves: models → versions, experiments → runs, datasets →
 * versions). Nodes keep their identity across updates, so a view can refresh exactly the group an
 * event touched; leaves load lazily when a group is first expanded. No `vscode` import.
 */

export interface GroupNode<K extends string, I extends { name: string }> {
  readonly kind: K;
  readonly name: string;
  /** The group's latest summary from the daemon. */
  info: I;
}

export interface LeafNode<K extends string, D> {
  readonly kind: K;
  /** Name of the group the leaf belongs to. */
  readonly parent: string;
  readonly data: D;
}

export interface GroupedModelShape<GK extends string, I extends { name: string }, LK extends string, D> {
  groupKind: GK;
  leafKind: LK;
  /** Order of the roots; by name when omitted. */
  groupOrder?(a: I, b: I): number;
  leafOrder(a: D, b: D): number;
}

export class GroupedModel<GK extends string, I extends { name: string }, LK extends string, D> {
  private groups = new Map<string, GroupNode<GK, I>>();
  private leaves = new Map<string, LeafNode<LK, D>[]>();

  constructor(private readonly shape: GroupedModelShape<GK, I, LK, D>) {}

  get kinds(): { group: GK; leaf: LK } {
    return { group: this.shape.groupKind, leaf: this.shape.leafKind };
  }

  /** Replaces the list of groups; true when the set of names changed (the root must refresh). */
  setGroups(list: readonly I[]): boolean {
    const before = [...this.groups.keys()].sort().join('\n');
    const next = new Map<string, GroupNode<GK, I>>();
    for (const info of list) next.set(info.name, this.node(info));
    for (const name of this.groups.keys()) if (!next.has(name)) this.leaves.delete(name);
    this.groups = next;
    return before !== [...next.keys()].sort().join('\n');
  }

  /** Adds or updates one group; returns its node and whether it existed before. */
  upsertGroup(info: I): { node: GroupNode<GK, I>; existed: boolean } {
    const existed = this.groups.has(info.name);
    const node = this.node(info);
    this.groups.set(info.name, node);
    return { node, existed };
  }

  removeGroup(name: string): boolean {
    this.leaves.delete(name);
    return this.groups.delete(name);
  }

  roots(): GroupNode<GK, I>[] {
    const order = this.shape.groupOrder ?? ((a: I, b: I) => a.name.localeCompare(b.name));
    return [...this.groups.values()].sort((a, b) => order(a.info, b.info));
  }

  group(name: string): GroupNode<GK, I> | undefined {
    return this.groups.get(name);
  }

  /** Leaves of a group in display order; undefined until loaded. */
  leavesOf(name: string): LeafNode<LK, D>[] | undefined {
    return this.leaves.get(name);
  }

  setLeaves(name: string, data: readonly D[]): void {
    const kind = this.shape.leafKind;
    this.leaves.set(
      name,
      [...data].sort((a, b) => this.shape.leafOrder(a, b)).map((d) => ({ kind, parent: name, data: d })),
    );
  }

  /** Forgets every group's leaves (a full reload); they load again when expanded. */
  clearLeaves(): void {
    this.leaves.clear();
  }

  private node(info: I): GroupNode<GK, I> {
    const node = this.groups.get(info.name) ?? { kind: this.shape.groupKind, name: info.name, info };
    node.info = info;
    return node;
  }
}
