import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_DEFAULTS, readConfig, settingDefaults } from '../../../extension/src/config';
import { COMMANDS, CONFIGURATION, MENUS, manifestKeys } from '../../../extension/manifest';
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

/** Every command id the extension registers, read from its source. */
function registeredCommands(): Set<string> {
  const ids = new Set<string>();
  for (const f of sources(join(root, 'extension', 'src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:registerCommand|r|sink)\('(mlops\.[\w.]+)'/g)) ids.add(m[1] as string);
  }
  return ids;
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
  test('every registered command is contributed under the MLOps category, and vice versa', () => {
    const contributed = new Set(COMMANDS.map((c) => c.command));
    assert.deepEqual([...registeredCommands()].filter((c) => !contributed.has(c)), []);
    assert.deepEqual([...contributed].filter((c) => !registeredCommands().has(c)), []);
    assert.ok(COMMANDS.every((c) => c.category === 'MLOps'));
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

describe('context menu when-clauses match the tree context values', () => {
  const when = (command: string) => {
    const entry = MENUS['view/item/context'].find((e) => e.command === command);
    const m = /viewItem =~ \/(.+)\/$/.exec(entry?.when ?? '');
    assert.ok(m, `no regex when-clause for ${command}`);
    return new RegExp(m[1] as string);
  };
  const ctx = (n: number, stage: Parameters<typeof version>[1], production: number | null, run: string | null = null) =>
    versionContext({ kind: 'version', model: 'churn', data: version(n, stage, { source_run_id: run }), production });

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
