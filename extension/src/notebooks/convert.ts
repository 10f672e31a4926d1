/**
 * "Convert to Pipeline…" on a notebook (explorer context menu, notebook toolbar): asks the language
 * server for the proposed stages (`mlops/convertNotebook` with `dry_run`), shows them with their
 * inputs and outputs in a quick pick, and only on confirmation asks it to write, then opens mlops.yaml.
 */
import * as vscode from 'vscode';
import { CONVERT_NOTEBOOK_REQUEST, convertNotebookResult, type ConvertNotebookResult, type ConvertPlan } from '../../../schemas/src/convert';

export interface ConvertDeps {
  request(method: string, params: unknown): Promise<unknown>;
}

type Item = vscode.QuickPickItem & { write?: boolean };

export function planItems(plan: ConvertPlan): Item[] {
  const n = plan.stages.length;
  const items: Item[] = [{ label: `$(check) Write ${n} stage${n === 1 ? '' : 's'} to mlops.yaml and ${plan.out}/`, write: true, alwaysShow: true }];
  for (const s of plan.stages) {
    const inputs = s.inputs.map((i) => `${i.name} ← ${i.from}`).join(', ') || 'nothing';
    const outputs = [...s.outputs, ...s.outs.filter((o) => !o.includes('/values/'))].join(', ') || 'nothing';
    items.push({
      label: `$(symbol-event) ${s.name}`,
      description: `cells ${s.cells.join(', ')}${s.params.length ? ` · params ${s.params.join(', ')}` : ''}`,
      detail: `reads ${inputs} · gives ${outputs}`,
    });
  }
  for (const c of plan.conflicts) items.push({ label: `$(warning) ${c} already exists: left as it is` });
  for (const note of plan.notes) items.push({ label: `$(info) cell ${note.cell}, line ${note.line}`, detail: note.message });
  return items;
}

async function ask(deps: ConvertDeps, uri: vscode.Uri, dryRun: boolean): Promise<ConvertNotebookResult> {
  return convertNotebookResult.parse(await deps.request(CONVERT_NOTEBOOK_REQUEST, { uri: uri.toString(), dry_run: dryRun }));
}

export async function convertNotebookCommand(deps: ConvertDeps, arg?: vscode.Uri | { notebookEditor?: { notebookUri?: vscode.Uri } }): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : (arg?.notebookEditor?.notebookUri ?? vscode.window.activeNotebookEditor?.notebook.uri);
  if (!uri || !uri.path.endsWith('.ipynb')) {
    void vscode.window.showWarningMessage('Open a Jupyter notebook, or right-click an .ipynb file, to convert it to a pipeline.');
    return;
  }
  // The server reads the file: unsaved edits would not be converted.
  const open = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const dry = await ask(deps, uri, true);
  if (dry.error || !dry.plan) return void vscode.window.showErrorMessage(`Convert to Pipeline: ${dry.error ?? 'no answer'}`);
  if (dry.plan.refusals.length) {
    const lines = dry.plan.refusals.map((r) => `cell ${r.cell}, line ${r.line}: ${r.message}`).join('\n');
    return void vscode.window.showErrorMessage('This notebook cannot be converted faithfully; nothing was written.', { modal: true, detail: lines });
  }
  const picked = await vscode.window.showQuickPick(planItems(dry.plan), { title: `Convert ${uri.path.split('/').pop() ?? ''} to pipeline stages`, placeHolder: 'Proposed stages: pick "Write" to write them', matchOnDetail: true });
  if (!picked?.write) return;
  const done = await ask(deps, uri, false);
  if (done.error) return void vscode.window.showErrorMessage(`Convert to Pipeline: ${done.error}`);
  if (done.config) await vscode.window.showTextDocument(vscode.Uri.parse(done.config));
  void vscode.window.showInformationMessage(`Wrote ${done.written.length} files; run the pipeline with \`mlops run\` (verify with \`mlops convert --verify\`).`);
}
