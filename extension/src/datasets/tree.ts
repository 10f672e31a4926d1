/** The Datasets tree: a dataset event refreshes only that dataset; mlops.yaml changes reload the list. */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DatasetVersion } from '../../../schemas/src/tracking';
import { type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { datasetsApi } from './api';
import { datasetOfEvent, datasetsModel, datasetVersionView, datasetView, type DatasetInfo, type DatasetNode, type DatasetVersionNode } from './model';

export class DatasetsTree extends GroupedTree<'dataset', DatasetInfo, 'datasetVersion', DatasetVersion> {
  constructor(ctx: ViewContext) {
    super(datasetsModel(), ctx, 'dataset');
  }

  protected async fetchGroups(c: DaemonClient): Promise<DatasetInfo[]> {
    return (await datasetsApi.list(c)).datasets;
  }

  protected async fetchLeaves(c: DaemonClient, name: string): Promise<DatasetVersion[]> {
    return (await datasetsApi.versions(c, name)).versions;
  }

  protected groupOfEvent(ev: MlopsEvent): string | undefined {
    return datasetOfEvent(ev);
  }

  protected groupView(node: DatasetNode, now: number): ItemView {
    return datasetView(node, now);
  }

  protected leafView(node: DatasetVersionNode, now: number): ItemView {
    return datasetVersionView(node, now);
  }
}
