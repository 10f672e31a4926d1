/** The Datasets view: declaration, tree and commands as one ViewFeature (it feeds no webview). */
import { type ViewContext, type ViewFeature } from '../shared/view';
import { DatasetsCommands } from './commands';
import { DATASETS_VIEW } from './ids';
import { DatasetsTree } from './tree';
import { CONTEXT_KEYS } from '../shell/ids';

export function datasetsView(ctx: ViewContext): ViewFeature<typeof DATASETS_VIEW> {
  const tree = new DatasetsTree(ctx);
  return {
    decl: DATASETS_VIEW,
    tree,
    handlers: new DatasetsCommands(ctx, tree).handlers(),
    contextKeys: () => ({ [CONTEXT_KEYS.hasDatasetVersions]: tree.model.roots().some((d) => d.info.version_count > 0) }),
    dispose: () => tree.dispose(),
  };
}
