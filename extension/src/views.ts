/**
 * Every view of the MLOps container, built from one ViewContext. Adding a view: a folder with its
 * ids.ts, model.ts, tree.ts, commands.ts (and webview.ts when it feeds a webview), an index.ts that
 * returns a ViewFeature, its declaration in shell/ids.ts's VIEWS, and one line here.
 */
import { alertsView } from './alerts';
import { datasetsView } from './datasets';
import { deploymentsView } from './deployments';
import { experimentsView } from './experiments';
import { pipelinesView } from './pipelines';
import { registryView } from './registry';
import { type ViewContext, type ViewFeature } from './shared/view';

export function createViews(ctx: ViewContext) {
  const registry = registryView(ctx);
  const all: ViewFeature[] = [registry, experimentsView(ctx), datasetsView(ctx), deploymentsView(ctx), alertsView(ctx), pipelinesView(ctx)];
  return { all, registry };
}
