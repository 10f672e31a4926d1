/**
 * The Pipelines tree: the stages as the daemon decides them. Any event that can change a stage's
 * state (a stage or pipeline run starting or ending, a run requested, a dataset version), a saved
 * file or a rewritten mlops.lock re-reads the whole pipeline, one request at a time.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type PipelineStatus } from '../../../schemas/src/pipelines';
import { type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { pipelinesApi } from './api';
import { PIPELINE_KEY, pipelineOfEvent, pipelinesModel, stageRows, stageView, type StageNode, type StageRow } from './model';

/** While a daemon-started pipeline runs, how often the view looks again. */
export const RUNNING_POLL_MS = 3000;

export class PipelinesTree extends GroupedTree<'pipelineStage', StageRow, 'none', never> {
  /** The last answer, for the webview and the project root. */
  status?: PipelineStatus;
  private followUp?: NodeJS.Timeout;

  constructor(ctx: ViewContext) {
    super(pipelinesModel(), ctx, 'pipeline');
  }

  /** Something changed (an event, a saved file, mlops.lock): decide every stage again. */
  refreshSoon(): void {
    this.schedule(PIPELINE_KEY, () => this.reload());
  }

  /** A change to one run can change any stage (its dependants), so every event reloads them all. */
  override handleEvent(ev: MlopsEvent): void {
    if (pipelineOfEvent(ev)) this.refreshSoon();
  }

  protected async fetchGroups(c: DaemonClient): Promise<StageRow[]> {
    this.status = await pipelinesApi.status(c);
    // The end of a daemon-started run is no event of its own (its cached stages make none): look again.
    clearTimeout(this.followUp);
    if (this.status.running) this.followUp = setTimeout(() => this.refreshSoon(), RUNNING_POLL_MS);
    return stageRows(this.status);
  }

  override dispose(): void {
    clearTimeout(this.followUp);
    super.dispose();
  }

  protected fetchLeaves(): Promise<never[]> {
    return Promise.resolve([]);
  }

  protected groupOfEvent(ev: MlopsEvent): string | undefined {
    return pipelineOfEvent(ev);
  }

  protected groupView(node: StageNode): ItemView {
    return stageView(node);
  }

  protected leafView(): ItemView {
    throw new Error('pipeline stages have no children');
  }
}
