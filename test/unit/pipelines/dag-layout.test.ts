/** The Pipelines webview's layered DAG layout: edges point right, nodes never overlap, crossings are removed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossings, DEFAULT_SIZE, layoutDag, type Layout, type LayoutInput } from '../../../webviews/src/pipeline/layout';

function assertSound(nodes: LayoutInput[], l: Layout): void {
  const at = new Map(l.nodes.map((n) => [n.id, n]));
  for (const e of l.edges) assert.ok((at.get(e.to)?.layer ?? 0) > (at.get(e.from)?.layer ?? 0), `${e.from} → ${e.to} points right`);
  const boxes = l.nodes.map((n) => `${n.x},${n.y}`);
  assert.equal(new Set(boxes).size, boxes.length, 'no two nodes share a place');
  for (const n of l.nodes) {
    assert.ok(n.x >= 0 && n.x + DEFAULT_SIZE.nodeWidth <= l.width, `${n.id} inside the width`);
    assert.ok(n.y >= 0 && n.y + DEFAULT_SIZE.nodeHeight <= l.height, `${n.id} inside the height`);
  }
  assert.equal(l.edges.length, nodes.reduce((s, n) => s + n.needs.filter((x) => at.has(x)).length, 0));
}

test('the demo pipeline: each stage one layer after the longest chain of what it needs', () => {
  const nodes = [
    { id: 'validate', needs: [] },
    { id: 'features', needs: ['validate'] },
    { id: 'train', needs: ['features'] },
    { id: 'evaluate', needs: ['features', 'train'] },
    { id: 'register', needs: ['train', 'evaluate'] },
    { id: 'deploy', needs: ['register'] },
  ];
  const l = layoutDag(nodes);
  assert.deepEqual(l.nodes.map((n) => [n.id, n.layer]), [['validate', 0], ['features', 1], ['train', 2], ['evaluate', 3], ['register', 4], ['deploy', 5]]);
  assertSound(nodes, l);
  assert.equal(l.height, DEFAULT_SIZE.margin * 2 + DEFAULT_SIZE.nodeHeight);
  assert.match(l.edges[0]?.path ?? '', /^M\d+,\d+ C/);
});

test('barycenter ordering removes the crossing that the declaration order would draw', () => {
  const nodes = [
    { id: 'a', needs: [] },
    { id: 'b', needs: [] },
    { id: 'from-b', needs: ['b'] },
    { id: 'from-a', needs: ['a'] },
    { id: 'both', needs: ['from-a', 'from-b'] },
  ];
  const l = layoutDag(nodes);
  assertSound(nodes, l);
  assert.equal(crossings(l), 0);
  // Without ordering, as declared, the two middle edges cross: the measure itself works.
  const declared: Layout = { ...l, nodes: l.nodes.map((n) => ({ ...n, row: ['a', 'from-b'].includes(n.id) ? 0 : n.id === 'both' ? 0 : 1 })) };
  assert.equal(crossings(declared), 1);
});

test('a 200-stage sweep (fan-out, fan-in) lays out soundly with no crossings; a cycle does not hang', () => {
  const nodes: LayoutInput[] = [{ id: 'prep', needs: [] }];
  for (let i = 0; i < 99; i++) nodes.push({ id: `train@seed=${i}`, needs: ['prep'] }, { id: `eval@seed=${i}`, needs: [`train@seed=${i}`] });
  nodes.push({ id: 'report', needs: nodes.filter((n) => n.id.startsWith('eval@')).map((n) => n.id) });
  assert.equal(nodes.length, 200);
  const l = layoutDag(nodes);
  assertSound(nodes, l);
  assert.equal(crossings(l), 0);
  assert.equal(Math.max(...l.nodes.map((n) => n.layer)), 3);
  const loop = layoutDag([{ id: 'x', needs: ['y'] }, { id: 'y', needs: ['x'] }, { id: 'z', needs: ['gone'] }]);
  assert.equal(loop.nodes.length, 3);
});
