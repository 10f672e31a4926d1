/**
 * The Model Registry tree. An event re-reads only the model it names (one request for the summary
 * and its versions) and refreshes only that node; a model that is gone (404) leaves the tree.
 */
import { type MlopsEvent, type ModelSummary, type ModelVersionSummary } from '../../../schemas/src/api';
import * as endpoints from '../../../schemas/src/endpoints';
import { ApiError, type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { modelOfEvent, modelView, registryModel, versionView, type ModelNode, type VersionNode } from './model';

const PAGE = 1000;

export class RegistryTree extends GroupedTree<'model', ModelSummary, 'version', ModelVersionSummary> {
  constructor(private readonly vctx: ViewContext) {
    super(registryModel(), vctx, 'model');
  }

  protected fetchGroups(c: DaemonClient): Promise<ModelSummary[]> {
    return c.allModels();
  }

  protected async fetchLeaves(c: DaemonClient, name: string): Promise<ModelVersionSummary[]> {
    const fresh = await c.request(endpoints.getModel, { params: { name }, query: { limit: PAGE } });
    this.model.upsertGroup(fresh.model);
    return fresh.versions;
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
    });
  }

  /** A model's versions, loading them when the model was never expanded. */
  async versions(model: string): Promise<VersionNode[]> {
    const node = this.model.group(model);
    return node ? ((await this.getChildren(node)) as VersionNode[]) : [];
  }
}
