/** The Model Registry view: declaration, tree, commands and the version comparisons it feeds, as one ViewFeature. */
import { type ViewContext, type ViewFeature } from '../shared/view';
import { RegistryCommands } from './commands';
import { REGISTRY_VIEW } from './ids';
import { RegistryTree } from './tree';
import { productionVersions, registryFacts } from './model';
import { CONTEXT_KEYS } from '../shell/ids';
import { loadVersionsComparison } from './webview';

export function registryView(ctx: ViewContext): ViewFeature<typeof REGISTRY_VIEW> & { tree: RegistryTree; productionVersions(): { model: string; version: number | null }[] } {
  const tree = new RegistryTree(ctx);
  return {
    decl: REGISTRY_VIEW,
    tree,
    handlers: new RegistryCommands(ctx, tree).handlers(),
    loadComparison: (source) => (source.type === 'versions' ? ctx.client().then((c) => loadVersionsComparison(c, source, ctx.metricDirections())) : undefined),
    contextKeys: () => {
      const f = registryFacts(tree.model);
      return { [CONTEXT_KEYS.hasModels]: f.hasModels, [CONTEXT_KEYS.hasPromotedVersion]: f.hasPromotedVersion };
    },
    productionVersions: () => productionVersions(tree.model),
    dispose: () => tree.dispose(),
  };
}
