/**
 * E2e cases for issue 18 (Convert to Pipeline… from the explorer's context menu) and issue 19
 * (Promote to Production runs the gates; a failed gate offers "Promote Anyway…" with a reason).
 * Kept apart from suite.ts so parallel work on the suite does not collide; suite.ts splices them in.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, parse } from 'yaml';
import { type VsCodeHarness } from './harness';
import { mlopsJson, versions } from './workspace';

export interface ExtraCase {
  name: string;
  run(h: VsCodeHarness): Promise<void>;
}

export interface ExtraContext {
  ws: string;
  registry: string;
  waitRow(h: VsCodeHarness, pane: string, label: RegExp, text: RegExp, timeoutMs?: number): Promise<void>;
}

const NOTEBOOK = 'numbers.ipynb';
const FORCED_REASON = 'e2e: gate known to fail, promoted anyway';

/** A plain-Python notebook with two `##` sections: one makes a value, the next reads it. */
function writeNotebook(file: string): void {
  const md = (text: string) => ({ cell_type: 'markdown', metadata: {}, source: [text] });
  const code = (text: string) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: [text] });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
    cells: [md('## Make numbers'), code('numbers = [1, 2, 3, 4]'), md('## Sum them'), code('total = sum(numbers)\nprint(total)')],
  };
  writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}

interface StageYaml {
  cmd?: string;
}

function pipelineStages(ws: string): Record<string, StageYaml> {
  const doc = parse(readFileSync(join(ws, 'mlops.yaml'), 'utf8')) as { pipeline?: { stages?: Record<string, StageYaml> } };
  return doc.pipeline?.stages ?? {};
}

/** Gives churn a holdout gate no candidate can pass (auc better than Production by 0.5). */
function addFailingGate(ws: string): void {
  const file = join(ws, 'mlops.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(['models', 'churn', 'gates'], doc.createNode({ holdout: { dataset: 'holdout', label: 'churned', metric: 'auc', min_delta: 0.5 } }));
  writeFileSync(file, doc.toString());
}

interface EventJson {
  kind: string;
  subject: string;
  reason: string | null;
}

export function convertAndGateCases(ctx: ExtraContext): ExtraCase[] {
  const { ws, registry: REG } = ctx;
  return [
    {
      name: 'right-click a notebook → Convert to Pipeline… writes its stages to mlops.yaml and their scripts (issue 18)',
      async run(h) {
        writeNotebook(join(ws, NOTEBOOK));
        // The explorer's file watcher shows the new file.
        await h.command('View: Show Explorer');
        const row = h.page.locator('.explorer-folders-view .monaco-list-row', { hasText: NOTEBOOK }).first();
        await row.waitFor({ timeout: 20_000 });
        await h.contextMenu(row, 'Convert to Pipeline');
        // The dry run's stages, shown before anything is written.
        const list = h.page.locator('.quick-input-list');
        for (const stage of ['make_numbers', 'sum_them']) await list.locator('.monaco-list-row', { hasText: stage }).first().waitFor({ timeout: 60_000 });
        if (Object.keys(pipelineStages(ws)).some((s) => /make_numbers|sum_them/.test(s))) throw new Error('mlops.yaml got the stages before the confirmation');
        await list.locator('.monaco-list-row', { hasText: /Write 2 stages/ }).first().click();
        // After writing, the extension opens mlops.yaml.
        await h.page.locator('.tabs-container .tab.active', { hasText: 'mlops.yaml' }).first().waitFor({ timeout: 30_000 });
        const stages = pipelineStages(ws);
        const scripts = existsSync(join(ws, 'pipeline')) ? readdirSync(join(ws, 'pipeline')) : [];
        for (const stage of ['make_numbers', 'sum_them']) {
          if (!stages[stage]) throw new Error(`mlops.yaml has no stage ${stage}: ${Object.keys(stages).join(', ')}`);
          const script = scripts.find((f) => new RegExp(`^\\d+_${stage}\\.py$`).test(f));
          if (!script) throw new Error(`no pipeline/NN_${stage}.py; pipeline/ holds ${scripts.join(', ')}`);
          if (!stages[stage]?.cmd?.includes(script)) throw new Error(`stage ${stage} runs "${stages[stage]?.cmd}", not ${script}`);
        }
        if (!existsSync(join(ws, 'pipeline', '_mlops_io.py'))) throw new Error('pipeline/_mlops_io.py was not written');
        await h.command('View: Close All Editors');
      },
    },
    {
      name: 'Promote to Production with a failing gate names it; Promote Anyway… with a reason forces it and audits it (issue 19)',
      async run(h) {
        addFailingGate(ws);
        const target = versions(ws).find((v) => v.stage !== 'Production')?.version;
        if (!target) throw new Error('no churn version outside Production');
        await h.command('Focus on Model Registry View');
        const row = h.row(REG, new RegExp(`^v${target}`));
        if (!(await row.isVisible())) await h.row(REG, /churn/).click();
        await h.contextMenu(row, 'Promote to Production');
        const input = h.page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill('e2e gated promotion');
        await h.page.keyboard.press('Enter');
        // The gates run (under a progress notification), then the modal names the failed gate.
        const dialog = h.page.locator('.monaco-dialog-box', { hasText: 'did not pass its gates' }).first();
        await dialog.waitFor({ timeout: 120_000 });
        const text = await dialog.innerText();
        if (!/✗ holdout/.test(text)) throw new Error(`the dialog does not name the failed holdout gate:\n${text}`);
        await dialog.locator('.monaco-button', { hasText: 'Promote Anyway' }).first().click();
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(FORCED_REASON);
        await h.page.keyboard.press('Enter');
        await ctx.waitRow(h, REG, new RegExp(`^v${target}`), /Production/, 30_000);
        const v = versions(ws).find((x) => x.version === target);
        if (v?.stage !== 'Production') throw new Error(`daemon: churn v${target} is ${v?.stage ?? 'missing'}, expected Production`);
        const forced = mlopsJson<EventJson[]>(ws, ['events', '--subject', 'model:churn']).filter((e) => e.kind === 'model.promotion_forced');
        if (!forced.some((e) => e.reason === FORCED_REASON)) throw new Error(`no model.promotion_forced event with the reason: ${JSON.stringify(forced)}`);
      },
    },
  ];
}
