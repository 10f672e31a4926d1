/** The Experiments view: declaration, tree, commands and the run comparisons it feeds, as one ViewFeature. */
import { type ViewContext, type ViewFeature } from '../shared/view';
import { ExperimentsCommands } from './commands';
import { EXPERIMENTS_VIEW } from './ids';
import { ExperimentsTree } from './tree';
import { CONTEXT_KEYS } from '../shell/ids';
import { loadRunsComparison } from './webview';

export function experimentsView(ctx: ViewContext): ViewFeature<typeof EXPERIMENTS_VIEW> {
  const tree = new ExperimentsTree(ctx);
  return {
    decl: EXPERIMENTS_VIEW,
    tree,
    handlers: new ExperimentsCommands(ctx, tree).handlers(),
    loadComparison: (source) => (source.type === 'runs' ? ctx.client().then((c) => loadRunsComparison(c, source, ctx.metricDirections())) : undefined),
    contextKeys: () => ({ [CONTEXT_KEYS.hasRuns]: tree.model.roots().some((e) => e.info.run_count > 0) }),
    dispose: () => tree.dispose(),
  };
}
