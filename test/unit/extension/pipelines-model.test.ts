/** The Pipelines view's rows, refresh triggers and webview graph, as plain data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipelineStatusResponse, type PipelineStatus } from '../../../schemas/src/pipelines';
import { hostMessageSchema, webviewMessageSchema } from '../../../schemas/src/webview';
import { PIPELINES_VIEW } from '../../../extension/src/pipelines/ids';
import { pipelineGraph, pipelineOfEvent, pipelinesModel, stageRows, stageView } from '../../../extension/src/pipelines/model';

const STATUS: PipelineStatus = pipelineStatusResponse.parse({
  root: '/p',
  running: false,
  problems: [],
  stages: [
    { id: 'validate', stage: 'validate', kind: 'validate', state: 'cached', reason: 'unchanged', needs: [], log: '.mlops/pipelines/logs/validate.log', run_id: 'a1' },
    { id: 'train', stage: 'train', kind: 'command', state: 'stale', reason: 'param train.lr changed (0.1 → 0.05)', needs: ['validate'], log: null, run_id: null },
    { id: 'register', stage: 'register', kind: 'register', state: 'failed', reason: 'failed in run b2; upstream train would run', needs: ['train'], log: '.mlops/pipelines/logs/register.log', run_id: 'b2' },
  ],
});

test('rows keep run order and say the state, why it is stale, and whether a log exists', () => {
  const model = pipelinesModel();
  model.setGroups(stageRows(STATUS).reverse());
  const views = model.roots().map(stageView);
  assert.deepEqual(views.map((v) => v.label), ['validate', 'train', 'register']);
  assert.equal(views[0]?.description, 'validate · cached');
  assert.equal(views[1]?.description, 'stale — param train.lr changed (0.1 → 0.05)');
  assert.deepEqual(views.map((v) => v.contextValue), ['pipelineStage;cached;log', 'pipelineStage;stale;nolog', 'pipelineStage;failed;log']);
  assert.deepEqual(views.map((v) => v.icon), ['pass', 'circle-large-outline', 'error']);
  // The context-menu conditions match the rows they are meant for.
  const when = (re: string) => new RegExp(/^viewItem =~ \/(.*)\/$/.exec(re)?.[1] ?? '$^');
  const openLog = when(PIPELINES_VIEW.commands.openLog.item.when);
  assert.deepEqual(views.map((v) => openLog.test(v.contextValue)), [true, false, true]);
  assert.ok(views.every((v) => when(PIPELINES_VIEW.commands.runStage.item.when).test(v.contextValue)));
});

test('run, pipeline and dataset events refresh the view; metric points do not', () => {
  assert.equal(pipelineOfEvent({ kind: 'run.created' }), 'pipeline');
  assert.equal(pipelineOfEvent({ kind: 'run.updated' }), 'pipeline');
  assert.equal(pipelineOfEvent({ kind: 'pipeline.triggered' }), 'pipeline');
  assert.equal(pipelineOfEvent({ kind: 'dataset.version_created' }), 'pipeline');
  assert.equal(pipelineOfEvent({ kind: 'run.metrics' }), undefined);
  assert.equal(pipelineOfEvent({ kind: 'model.stage_changed' }), undefined);
});

test('the webview graph passes the message contract both ways', () => {
  const graph = pipelineGraph(STATUS);
  assert.deepEqual(graph.nodes.map((n) => [n.id, n.state, n.has_log, n.needs]), [['validate', 'cached', true, []], ['train', 'stale', false, ['validate']], ['register', 'failed', true, ['train']]]);
  assert.ok(hostMessageSchema.safeParse({ type: 'pipeline', kind: 'pipeline', graph }).success);
  assert.equal(hostMessageSchema.safeParse({ type: 'pipeline', kind: 'pipeline', graph: { ...graph, nodes: [{ ...graph.nodes[0], state: 'weird' }] } }).success, false);
  assert.ok(webviewMessageSchema.safeParse({ type: 'openLog', stage: 'train' }).success);
  assert.equal(webviewMessageSchema.safeParse({ type: 'openLog', stage: '' }).success, false);
  assert.deepEqual(pipelineGraph(undefined), { nodes: [], problems: [], running: false });
});
