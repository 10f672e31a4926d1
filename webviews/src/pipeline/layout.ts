/**
 * A layered (Sugiyama-style, simplified) layout of the pipeline DAG, as plain numbers: each node's
 * layer is its longest path from a source, so every edge points right; within a layer nodes are
 * ordered by the mean position of what they need (a few sweeps of the barycenter heuristic, which
 * removes most crossings of a pipeline's fan-out/fan-in shapes). Pure and DOM-free, so it is
 * unit-tested; the webview only turns the result into SVG.
 */

export interface LayoutInput {
  id: string;
  needs: readonly string[];
}

export interface PlacedNode {
  id: string;
  layer: number;
  /** Position within the layer, 0 at the top. */
  row: number;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** Cubic Bézier from the right middle of `from` to the left middle of `to`. */
  path: string;
}

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export interface LayoutSize {
  nodeWidth: number;
  nodeHeight: number;
  gapX: number;
  gapY: number;
  margin: number;
}

export const DEFAULT_SIZE: LayoutSize = { nodeWidth: 180, nodeHeight: 44, gapX: 60, gapY: 16, margin: 12 };

const SWEEPS = 4;

/** Longest path from a source; needs that are not nodes are ignored, a cycle cannot loop forever. */
function layersOf(nodes: readonly LayoutInput[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let l = 0;
    for (const n of byId.get(id)?.needs ?? []) if (byId.has(n)) l = Math.max(l, visit(n) + 1);
    visiting.delete(id);
    layer.set(id, l);
    return l;
  };
  for (const n of nodes) visit(n.id);
  return layer;
}

function mean(values: number[]): number | undefined {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** Orders each layer by the barycenter of neighbours in the previous (down) or next (up) layer. */
function orderLayers(layers: string[][], needs: Map<string, string[]>, users: Map<string, string[]>): void {
  const pos = new Map<string, number>();
  const index = () => layers.forEach((l) => l.forEach((id, i) => pos.set(id, i)));
  index();
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of order) {
      const key = new Map(layer.map((id, i) => {
        const near = (down ? needs.get(id) : users.get(id)) ?? [];
        return [id, mean(near.map((n) => pos.get(n) ?? 0)) ?? i] as const;
      }));
      // Stable: ties keep their current order, so the result is deterministic.
      layer.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0) || (pos.get(a) ?? 0) - (pos.get(b) ?? 0));
      layer.forEach((id, i) => pos.set(id, i));
    }
  }
}

export function layoutDag(nodes: readonly LayoutInput[], size: LayoutSize = DEFAULT_SIZE): Layout {
  const ids = new Set(nodes.map((n) => n.id));
  const layerOf = layersOf(nodes);
  const layers: string[][] = [];
  for (const n of nodes) (layers[layerOf.get(n.id) ?? 0] ??= []).push(n.id);
  const needs = new Map(nodes.map((n) => [n.id, n.needs.filter((x) => ids.has(x) && x !== n.id)]));
  const users = new Map<string, string[]>();
  for (const [id, list] of needs) for (const n of list) users.set(n, [...(users.get(n) ?? []), id]);
  orderLayers(layers, needs, users);
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const span = (count: number) => count * size.nodeHeight + Math.max(0, count - 1) * size.gapY;
  const placed = new Map<string, PlacedNode>();
  layers.forEach((layer, li) => {
    // Each layer is centred vertically against the tallest one.
    const top = size.margin + (span(tallest) - span(layer.length)) / 2;
    layer.forEach((id, row) => placed.set(id, { id, layer: li, row, x: size.margin + li * (size.nodeWidth + size.gapX), y: top + row * (size.nodeHeight + size.gapY) }));
  });
  const edges: PlacedEdge[] = [];
  for (const n of nodes) {
    for (const from of needs.get(n.id) ?? []) {
      const a = placed.get(from) as PlacedNode;
      const b = placed.get(n.id) as PlacedNode;
      const x1 = a.x + size.nodeWidth;
      const y1 = a.y + size.nodeHeight / 2;
      const x2 = b.x;
      const y2 = b.y + size.nodeHeight / 2;
      const c = Math.max(20, (x2 - x1) / 2);
      edges.push({ from, to: n.id, path: `M${x1},${y1} C${x1 + c},${y1} ${x2 - c},${y2} ${x2},${y2}` });
    }
  }
  return {
    nodes: nodes.map((n) => placed.get(n.id) as PlacedNode),
    edges,
    width: size.margin * 2 + Math.max(0, layers.length * (size.nodeWidth + size.gapX) - size.gapX),
    height: size.margin * 2 + span(tallest),
  };
}

/** Pairs of edges between the same two layers that cross (for tests and the layout's quality). */
export function crossings(layout: Layout): number {
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  const spans = layout.edges.map((e) => ({ a: at.get(e.from) as PlacedNode, b: at.get(e.to) as PlacedNode }));
  let count = 0;
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const p = spans[i] as { a: PlacedNode; b: PlacedNode };
      const q = spans[j] as { a: PlacedNode; b: PlacedNode };
      if (p.a.layer !== q.a.layer || p.b.layer !== q.b.layer) continue;
      if ((p.a.row - q.a.row) * (p.b.row - q.b.row) < 0) count++;
    }
  }
  return count;
}
