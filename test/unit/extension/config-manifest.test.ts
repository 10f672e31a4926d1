import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_DEFAULTS, readConfig, settingDefaults } from '../../../extension/src/config';
import { COMMANDS, CONFIGURATION, MENUS, WALKTHROUGHS, manifestKeys } from '../../../extension/manifest';
import { type CommandDecl } from '../../../extension/src/shell/contrib';
import { ALL_COMMANDS, VIEWS } from '../../../extension/src/shell/ids';
import { versionContext } from '../../../extension/src/registry/model';
import { version } from './fixtures';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> & {
  contributes: { commands: { command: string; category: string }[] };
  engines: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const ext = join(root, 'extension', 'src');
const VIEW_FOLDERS = VIEWS.map((v) => v.id.replace(/^mlops\./, ''));

/** Relative imports of a file, resolved to paths under extension/src. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => relative(ext, join(dirname(file), m[1] as string)));
}

describe('settings accessor', () => {
  const section = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });
  test('defaults when nothing is set', () => {
    assert.deepEqual(readConfig(section({})), CONFIG_DEFAULTS);
  });
  test('valid values are used, invalid ones fall back to the default', () => {
    const c = readConfig(section({ 'daemon.nodePath': ' /usr/bin/node ', 'daemon.autoStart': 'yes', 'daemon.maxRestartsPerMinute': 5, 'cli.installDir': '' }));
    assert.equal(c.daemon.nodePath, '/usr/bin/node');
    assert.equal(c.daemon.autoStart, true);
    assert.equal(c.daemon.maxRestartsPerMinute, 5);
    assert.equal(c.cli.installDir, CONFIG_DEFAULTS.cli.installDir);
    assert.equal(readConfig(section({ 'daemon.maxRestartsPerMinute': 2.5 })).daemon.maxRestartsPerMinute, 3);
  });
  test('every setting in the manifest has the accessor default', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(CONFIGURATION.properties).map(([k, v]) => [k, v.default])), settingDefaults());
  });
});

describe('manifest', () => {
  test('package.json holds the keys extension/manifest.ts generates (run it after editing)', () => {
    for (const [k, v] of Object.entries(manifestKeys())) assert.deepEqual(pkg[k], v, `package.json "${k}" is out of date: run npx tsx extension/manifest.ts`);
    assert.equal(pkg.engines['vscode'], '^1.100.0');
  });
  test('every declared command is contributed once, under the MLOps category', () => {
    const ids = ALL_COMMANDS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'command ids are unique');
    assert.deepEqual(COMMANDS.map((c) => c.command), ids);
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command), ids);
    assert.ok(COMMANDS.every((c) => c.category === 'MLOps'));
  });
  test('the views contributed are the declared ones, in order', () => {
    const contributed = (pkg as unknown as { contributes: { views: { mlops: { id: string }[] } } }).contributes.views.mlops.map((v) => v.id);
    assert.deepEqual(contributed, VIEWS.map((v) => v.id));
  });
  test('commands that need a tree node are hidden from the palette', () => {
    const hidden = new Set(MENUS.commandPalette.map((m) => m.command));
    // A row command stays in the palette only when it asks for what the row would give.
    const inPalette = VIEWS.flatMap((v) => (Object.values(v.commands) as CommandDecl[]).filter((c) => c.item && c.palette !== false).map((c) => c.id));
    assert.deepEqual(inPalette, ['mlops.snapshotDataset', 'mlops.deploy', 'mlops.pipelines.run', 'mlops.pipelines.runStage']);
    assert.ok(hidden.has('mlops.registry.promoteStaging'));
    assert.equal(hidden.has('mlops.registry.refresh'), false);
  });
  test('menus only name contributed commands', () => {
    const contributed = new Set(COMMANDS.map((c) => c.command));
    for (const entries of Object.values(MENUS)) for (const e of entries) assert.ok(contributed.has(e.command), e.command);
  });
  test('the palette offers the issue\'s commands', () => {
    const palette = new Set(COMMANDS.map((c) => c.title));
    for (const t of ['Initialize Project', 'Snapshot Dataset', 'Register Model…', 'Promote…', 'Roll Back…', 'Install CLI', 'Show Output', 'Restart Daemon']) {
      assert.ok(palette.has(t), t);
    }
  });
});

describe('one shape for every view', () => {
  test('each view has a folder with its ids, model, tree, commands and index', () => {
    for (const f of VIEW_FOLDERS) {
      for (const file of ['ids.ts', 'model.ts', 'tree.ts', 'commands.ts', 'index.ts']) assert.ok(existsSync(join(ext, f, file)), `${f}/${file}`);
    }
  });
  test('no view imports another view\'s code (they reach each other through command ids)', () => {
    const offending: string[] = [];
    for (const f of VIEW_FOLDERS) {
      for (const file of sources(join(ext, f))) {
        for (const target of importsOf(file)) {
          const top = target.split(/[\\/]/)[0] ?? '';
          if (top !== f && VIEW_FOLDERS.includes(top)) offending.push(`${relative(ext, file)} → ${target}`);
        }
      }
    }
    assert.deepEqual(offending, []);
  });
  test('the shared base imports no view', () => {
    for (const file of sources(join(ext, 'shared'))) {
      for (const target of importsOf(file)) assert.ok(!VIEW_FOLDERS.includes(target.split(/[\\/]/)[0] ?? ''), `${relative(ext, file)} → ${target}`);
    }
  });
  test('the walkthrough completes steps from the project state', () => {
    const steps = WALKTHROUGHS[0]?.steps ?? [];
    const events = Object.fromEntries(steps.map((s) => [s.id, s.completionEvents]));
    assert.deepEqual(events['init'], ['onContext:mlops.walkthroughOpened && mlops.initialized']);
    assert.ok(events['train']?.includes('onContext:mlops.walkthroughOpened && mlops.hasRuns'));
    assert.ok(events['snapshot']?.includes('onContext:mlops.walkthroughOpened && mlops.hasDatasetVersions'));
    assert.ok(events['promote']?.includes('onContext:mlops.walkthroughOpened && mlops.hasPromotedVersion'));
  });
});

describe('context menu when-clauses match the tree context values', () => {
  const when = (command: string) => {
    const entry = MENUS['view/item/context'].find((e) => e.command === command);
    const m = /viewItem =~ \/(.+)\/$/.exec(entry?.when ?? '');
    assert.ok(m, `no regex when-clause for ${command}`);
    return new RegExp(m[1] as string);
  };
  const ctx = (n: number, stage: Parameters<typeof version>[1], production: number | null, run: string | null = null) =>
    versionContext({ kind: 'version', parent: 'churn', data: version(n, stage, { source_run_id: run }) }, production);

  test('Promote to Staging: only for None and Archived versions', () => {
    const re = when('mlops.registry.promoteStaging');
    assert.ok(re.test(ctx(2, 'None', 1)));
    assert.ok(re.test(ctx(2, 'Archived', 1)));
    assert.equal(re.test(ctx(2, 'Staging', 1)), false);
    assert.equal(re.test(ctx(1, 'Production', 1)), false);
  });
  test('Roll Back Production: on the Production version or a model with one', () => {
    const re = when('mlops.registry.rollback');
    assert.ok(re.test(ctx(1, 'Production', 1)));
    assert.ok(re.test('model;prod'));
    assert.equal(re.test('model;noprod'), false);
    assert.equal(re.test(ctx(2, 'Staging', 1)), false);
  });
  test('Compare with Production needs another Production version; Reveal Source Run needs a run', () => {
    assert.ok(when('mlops.registry.compareWithProduction').test(ctx(2, 'Staging', 1)));
    assert.equal(when('mlops.registry.compareWithProduction').test(ctx(2, 'Staging', null)), false);
    assert.ok(when('mlops.registry.revealRun').test(ctx(2, 'None', 1, 'abc123')));
    assert.equal(when('mlops.registry.revealRun').test(ctx(2, 'None', 1)), false);
  });
});
