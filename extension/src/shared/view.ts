/**
 * What a view is to the workbench: its declaration (ids.ts), its tree, one handler per declared
 * command, and optionally the comparisons its data feeds. Each view folder's index.ts builds one
 * from a ViewContext; views never import each other (they reach one another through command ids).
 */
import type * as vscode from 'vscode';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type ComparisonData, type ComparisonSource, type DriftSource, type LatencySource } from '../../../schemas/src/webview';
import { type MetricDirections } from '../comparison/data';
import { type ProjectFacts } from '../project/facts';
import { type Handlers, type ViewDecl } from '../shell/contrib';
import { type ContextKey } from '../shell/ids';
import { type Emitter } from '../util/emitter';
import { type TreeContext } from './tree/tree';

export interface ViewContext extends TreeContext {
  /** What mlops.yaml says, current. */
  project(): ProjectFacts;
  /** Opens Run Comparison; a view that feeds it answers `loadComparison` for its source type. */
  compare(source: ComparisonSource): Promise<void>;
  /** Which metrics are better higher or lower (setting `mlops.comparison.metricDirections`). */
  metricDirections(): MetricDirections;
  /** Shows a read-only document at `mlops:<path>` (see shared/documents.ts). */
  showDocument(path: string, content: string): Promise<void>;
  /** Opens (or reveals) the drift or latency dashboard of a dataset or deployment. */
  openDashboard(source: { kind: 'drift'; source: DriftSource } | { kind: 'latency'; source: LatencySource }): Promise<void>;
  /** mlops.yaml as last read (undefined while it is missing or invalid). */
  config(): MlopsConfig | undefined;
  /** Where the extension is installed: webview panels a view opens load their scripts from here. */
  extensionUri: vscode.Uri;
}

/** The part of a GroupedTree the workbench drives. */
export interface ViewTree extends vscode.TreeDataProvider<unknown> {
  readonly onDidApply: Emitter<string | undefined>;
  readonly isLoaded: boolean;
  attachView(view: vscode.TreeView<unknown>): void;
  reload(): Promise<void>;
  handleEvent(ev: MlopsEvent): void;
  onConfigChanged(): void;
}

export interface ViewFeature<V extends ViewDecl = ViewDecl> extends vscode.Disposable {
  readonly decl: V;
  readonly tree: ViewTree;
  readonly handlers: Handlers<V['commands']>;
  /** Context keys this view's data decides (walkthrough steps complete on them). */
  contextKeys?(): Partial<Record<ContextKey, boolean>>;
  /** The data of a Run Comparison this view feeds, or undefined when `source` is not its kind. */
  loadComparison?(source: ComparisonSource): Promise<ComparisonData> | undefined;
}
