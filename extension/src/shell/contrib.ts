/**
 * The shape of a view's and a command's declaration: ids, titles, icons, where they appear.
 * extension/manifest.ts turns the declarations into package.json's `contributes`, the activation
 * shell registers every declared command, and the core's handler maps are typed by them, so a
 * command without a handler (or a handler for an undeclared id) is a compile error. No imports.
 */

export interface CommandDecl {
  readonly id: `mlops.${string}`;
  readonly title: string;
  /** A codicon name (no `$()`), shown where the command is a button. */
  readonly icon?: string;
  /** Listed in the command palette (default true); false for commands that need a tree node. */
  readonly palette?: boolean;
  /** A button in the view's title bar, in this menu group (e.g. 'navigation@1'). */
  readonly titleBar?: string;
  /** An entry in the context menu of the view's rows: the condition on `viewItem` and the group. */
  readonly item?: { readonly when: string; readonly group: string };
  /** An entry in the explorer's context menu where `when` holds (e.g. on `.ipynb` files). */
  readonly explorer?: { readonly when: string; readonly group: string };
  /** A button in the notebook editor's toolbar where `when` holds. */
  readonly notebookToolbar?: { readonly when: string; readonly group: string };
}

export type CommandDecls = Readonly<Record<string, CommandDecl>>;

export interface ViewDecl {
  readonly id: `mlops.${string}`;
  readonly name: string;
  /** Rows can be multi-selected (Ctrl/Cmd+click), e.g. runs to compare. */
  readonly canSelectMany?: boolean;
  /** Markdown shown while the view is empty (links like `[Title](command:id)` run commands). */
  readonly welcome: string;
  readonly commands: CommandDecls;
}

export function defineView<const V extends ViewDecl>(view: V): V {
  return view;
}

export function defineCommands<const C extends CommandDecls>(commands: C): C {
  return commands;
}

/** A command's implementation; the shell passes the arguments VS Code gives (tree node, selection…). */
export type CommandHandler = (...args: never[]) => unknown;

/** One handler per declared command, keyed like the declaration: missing or extra keys do not compile. */
export type Handlers<C extends CommandDecls> = { readonly [K in keyof C]: CommandHandler };
