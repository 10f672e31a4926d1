/**
 * The Experiments tree. A run event refreshes only its experiment: run.created names it; for other
 * run events the run's experiment is remembered from lists (or asked for once).
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type RunSummary } from '../../../schemas/src/tracking';
import { type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { tracking } from './api';
import { experimentsModel, experimentView, runOfEvent, runView, type ExperimentInfo, type ExperimentNode, type RunNode } from './model';

export class ExperimentsTree extends GroupedTree<'experiment', ExperimentInfo, 'run', RunSummary> {
  /** run id → experiment, learned from lists and events. */
  private readonly runHome = new Map<string, string>();

  constructor(ctx: ViewContext) {
    super(experimentsModel(), ctx, 'experiment');
  }

  protected async fetchGroups(c: DaemonClient): Promise<ExperimentInfo[]> {
    return (await tracking.experiments(c)).experiments;
  }

  protected async fetchLeaves(c: DaemonClient, name: string): Promise<RunSummary[]> {
    const runs = (await tracking.runs(c, name)).runs;
    for (const r of runs) this.runHome.set(r.id, name);
    return runs;
  }

  /** Unused: run events need the lookup in handleEvent. */
  protected groupOfEvent(): string | undefined {
    return undefined;
  }

  override handleEvent(ev: MlopsEvent): void {
    const run = runOfEvent(ev);
    if (!run) return;
    if (run.experiment) this.runHome.set(run.id, run.experiment);
    const known = this.runHome.get(run.id);
    this.schedule(known ?? `?${run.id}`, async () => {
      const c = await this.ctx.client();
      const experiment = known ?? (await tracking.run(c, run.id)).experiment;
      this.runHome.set(run.id, experiment);
      await this.refreshGroup(c, experiment);
    });
  }

  protected groupView(node: ExperimentNode, now: number): ItemView {
    return experimentView(node, now);
  }

  protected leafView(node: RunNode, now: number): ItemView {
    return runView(node, now);
  }

  /** Shows a run in the view (loading its experiment's runs), selected and focused. */
  async reveal(id: string, experiment: string): Promise<void> {
    const c = await this.ctx.client();
    if (!this.model.group(experiment)) await this.reload();
    this.model.setLeaves(experiment, await this.fetchLeaves(c, experiment));
    this.fire(this.model.group(experiment));
    const node = this.model.leavesOf(experiment)?.find((r) => r.data.id === id);
    if (node && this.view) await this.view.reveal(node, { select: true, focus: true, expand: true });
  }

  get selection(): readonly (ExperimentNode | RunNode)[] {
    return (this.view?.selection ?? []) as readonly (ExperimentNode | RunNode)[];
  }
}
