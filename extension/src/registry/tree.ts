/**
 * The Model Registry tree. An event re-reads only the model it names (one request for the summary
 * and its versions) and refreshes only that node; a model that is gone (404) leaves the tree.
 */
import { type MlopsEvent, type ModelSummary, type ModelVersionSummary } from '../../../schemas/src/api';
import { type StoredGateRun } from '../../../schemas/src/gates';
import * as endpoints from '../../../schemas/src/endpoints';
import { ApiError, type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { modelOfEvent, modelView, registryModel, versionView, type ModelNode, type VersionNode } from './model';

const PAGE = 1000;

export class RegistryTree extends GroupedTree<'model', ModelSummary, 'version', ModelVersionSummary> {
  /** model → version → its last gate evaluation, read with the versions. */
  private readonly gates = new Map<string, Map<number, StoredGateRun>>();

  constructor(private readonly vctx: ViewContext) {
    super(registryModel(), vctx, 'model');
  }

  protected fetchGroups(c: DaemonClient): Promise<ModelSummary[]> {
    return c.allModels();
  }

  protected async fetchLeaves(c: DaemonClient, name: string): Promise<ModelVersionSummary[]> {
    const fresh = await c.request(endpoints.getModel, { params: { name }, query: { limit: PAGE } });
    this.model.upsertGroup(fresh.model);
    await this.loadGates(c, name);
    return fresh.versions;
  }

  private async loadGates(c: DaemonClient, name: string): Promise<void> {
    const runs = await c.request(endpoints.listGateRuns, { params: { name } });
    this.gates.set(name, new Map(runs.versions.map((v) => [v.version, v.last])));
  }

  protected groupOfEvent(ev: MlopsEvent): string | undefined {
    return modelOfEvent(ev);
  }

  protected override async refreshGroup(c: DaemonClient, name: string): Promise<void> {
    let fresh;
    try {
      fresh = await c.request(endpoints.getModel, { params: { name }, query: { limit: PAGE } });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        if (this.model.removeGroup(name)) this.fire();
        this.onDidApply.fire(name);
        return;
      }
      throw e;
    }
    await this.loadGates(c, name);
    const { node, existed } = this.model.upsertGroup(fresh.model);
    this.model.setLeaves(name, fresh.versions);
    this.fire(existed ? node : undefined);
    this.onDidApply.fire(name);
  }

  protected groupView(node: ModelNode): ItemView {
    return modelView(node);
  }

  protected leafView(node: VersionNode): ItemView {
    return versionView(node, {
      production: this.model.group(node.parent)?.info.production_version ?? null,
      preferred: this.vctx.project().preferredMetrics(node.parent),
      ...(this.gates.get(node.parent)?.has(node.data.version) ? { gates: this.gates.get(node.parent)?.get(node.data.version) as StoredGateRun } : {}),
    });
  }

  /** A model's versions, loading them when the model was never expanded. */
  async versions(model: string): Promise<VersionNode[]> {
    const node = this.model.group(model);
    return node ? ((await this.getChildren(node)) as VersionNode[]) : [];
  }
}
