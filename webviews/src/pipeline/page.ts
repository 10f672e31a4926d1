/**
 * Pipelines webview: the stage DAG drawn as SVG from the layered layout (./layout.ts), each stage
 * coloured by its state (cached, stale, running, failed) from VS Code's theme, with why it is stale
 * or failed as its tooltip. Clicking a stage asks the host to open its log. Elements are created
 * through the DOM API only (no HTML parsing), so stage names cannot inject markup.
 */
import { type PipelineGraph } from '../../../schemas/src/webview';
import { el, onHostMessage, post } from '../shared/host';
import { DEFAULT_SIZE, layoutDag } from './layout';

const SVG = 'http://www.w3.org/2000/svg';
const LABEL_CHARS = 24;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function short(text: string): string {
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
}

function legend(graph: PipelineGraph): HTMLElement {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) counts.set(n.state, (counts.get(n.state) ?? 0) + 1);
  const box = el('div', { class: 'items' });
  for (const state of ['cached', 'stale', 'running', 'failed']) {
    const item = el('span', { class: `item stage-${state}` });
    item.append(el('span', { class: 'swatch' }), document.createTextNode(`${state} ${counts.get(state) ?? 0}`));
    box.append(item);
  }
  return box;
}

function drawGraph(graph: PipelineGraph): SVGSVGElement {
  const layout = layoutDag(graph.nodes);
  const root = svg('svg', { width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'img', 'aria-label': 'pipeline stages' });
  const edges = svg('g', { class: 'edges' });
  for (const e of layout.edges) edges.append(svg('path', { d: e.path, class: 'edge', 'data-from': e.from, 'data-to': e.to }));
  root.append(edges);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const p of layout.nodes) {
    const n = byId.get(p.id);
    if (!n) continue;
    const g = svg('g', { class: `stage stage-${n.state}${n.has_log ? ' has-log' : ''}`, transform: `translate(${p.x},${p.y})`, 'data-stage': n.id, tabindex: 0, role: 'button' });
    const title = svg('title', {});
    title.textContent = `${n.id} (${n.kind}): ${n.state}\n${n.reason}${n.has_log ? '\nClick to open its log.' : '\nNo log yet.'}`;
    g.append(title, svg('rect', { width: DEFAULT_SIZE.nodeWidth, height: DEFAULT_SIZE.nodeHeight, rx: 6 }));
    const name = svg('text', { x: 10, y: 18, class: 'name' });
    name.textContent = short(n.id);
    const state = svg('text', { x: 10, y: 34, class: 'state' });
    state.textContent = `${n.state}${n.kind === 'command' ? '' : ` · ${n.kind}`}`;
    g.append(name, state);
    const open = () => post({ type: 'openLog', stage: n.id });
    g.addEventListener('click', open);
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') open();
    });
    root.append(g);
  }
  return root;
}

function render(graph: PipelineGraph): void {
  const app = document.getElementById('app');
  if (!app) return;
  const parts: Node[] = [el('h1', {}, 'Pipeline'), el('p', { class: 'muted' }, graph.running ? 'A pipeline run is going; states follow it.' : 'Click a stage to open its log.')];
  if (graph.problems.length) {
    parts.push(el('p', { class: 'error' }, 'The pipeline cannot run:'));
    for (const p of graph.problems) parts.push(el('p', { class: 'error' }, p));
  } else if (!graph.nodes.length) parts.push(el('p', {}, 'mlops.yaml declares no stages under pipeline.stages.'));
  else parts.push(legend(graph), el('div', { class: 'dag' }));
  app.replaceChildren(...parts);
  const dag = app.querySelector('.dag');
  dag?.append(drawGraph(graph));
  post({ type: 'pipelineRendered', stages: graph.nodes.length, edges: dag?.querySelectorAll('path.edge').length ?? 0 });
}

/** Starts the Pipeline page (webviews/src/panels/main.ts picks it by `data-kind`). */
export function startPipeline(): void {
  onHostMessage((msg) => {
    if (msg.type === 'pipeline') render(msg.graph);
    else if (msg.type === 'error') document.getElementById('app')?.replaceChildren(el('h1', {}, 'Pipeline'), el('p', { class: 'error' }, msg.message));
  });
  post({ type: 'ready', kind: 'pipeline' });
}
