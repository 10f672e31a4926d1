/**
 * The `mlops` CLI as a user runs it (`node dist/cli.js`, real daemon auto-started): every command's
 * help has examples, `--json` output matches the documented shapes, errors are one line on stderr with
 * a non-zero exit, and `mlops init` sets a project up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  aliasResponse,
  eventSchema,
  getModelResponse,
  modelSummarySchema,
  registerVersionResponse,
  rollbackResponse,
  stageChangeResponse,
} from '../../../schemas/src/api';
import { daemonStartJson, daemonStatusJson, daemonStopJson, initJson } from '../../../schemas/src/cli';
import { loadConfig } from '../../../shared/src/mlops-yaml';
import { configYaml, runCli, runCliJson, tempProject, writeLinearOnnx, type TempProject } from '../../helpers';

/** Parses `value` with `schema` and checks it carries no field the schema does not document. */
function assertShape<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  assert.ok(r.success, `${what}: ${r.success ? '' : r.error.message}`);
  assert.deepEqual(r.data, value, `${what} has exactly the documented fields`);
  return r.data;
}

let project: TempProject;
let onnx2 = '';

before(() => {
  project = tempProject({ config: configYaml({ keepVersions: 50, models: { churn: { features: ['a', 'b', 'c'] } } }) });
  // v1 is registered by its relative path, as a user in the project folder would.
  writeLinearOnnx(join(project.root, 'v1.onnx'), { features: ['a', 'b', 'c'], seed: 1 });
  onnx2 = writeLinearOnnx(join(project.root, 'v2.onnx'), { features: ['a', 'b', 'c'], seed: 2 });
});

after(async () => {
  await project?.cleanup();
});

const cli = (args: string[]) => runCli(args, { cwd: project.root });
const json = (args: string[]) => runCliJson(args, { cwd: project.root });

/** Command words listed by `mlops --help`. */
async function listedCommands(): Promise<string[][]> {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  const section = r.stdout.split(/^Commands:$/m)[1] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => {
      const usage = l.trim().split(/\s{2,}/)[0] ?? '';
      const words: string[] = [];
      for (const w of usage.split(' ')) {
        if (w.startsWith('[') || w.startsWith('<')) break;
        words.push(w);
      }
      return words;
    });
}

describe('help', () => {
  test('every command has --help with Examples that start with `mlops`', async () => {
    const commands = await listedCommands();
    const names = commands.map((w) => w.join(' '));
    for (const required of ['init', 'daemon start', 'daemon stop', 'daemon status', 'models list', 'models show', 'models register', 'models promote', 'models alias', 'models rollback', 'events']) {
      assert.ok(names.includes(required), `mlops --help lists "${required}"`);
    }
    // Two at a time: some 60 CLI processes started at once on a loaded 2-core runner each took
    // over 30 s to start, which measured the machine, not the help texts.
    const helps: Awaited<ReturnType<typeof cli>>[] = [];
    for (let i = 0; i < commands.length; i += 2) {
      helps.push(...(await Promise.all(commands.slice(i, i + 2).map((words) => cli([...words, '--help'])))));
    }
    helps.forEach((h, i) => {
      const name = names[i];
      assert.equal(h.code, 0, `${name} --help exits 0`);
      const examples = h.stdout.split(/^Examples:$/m)[1];
      assert.ok(examples, `${name} --help has an Examples section:\n${h.stdout}`);
      const lines = examples.split('\n').filter((l) => l.trim());
      assert.ok(lines.length >= 1 && lines.every((l) => l.trim().startsWith('mlops ')), `${name}: examples are mlops commands`);
      assert.ok(lines.some((l) => l.includes(`mlops ${name}`)), `${name}: an example uses the command itself`);
    });
  });
});

describe('mlops init', () => {
  test('creates .mlops/, a valid starter mlops.yaml and a .gitignore entry, and is idempotent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-init-'));
    try {
      writeFileSync(join(dir, '.gitignore'), 'node_modules/');
      const first = assertShape(initJson, await runCliJson(['init'], { cwd: dir }), 'init --json');
      assert.equal(first.root, dir);
      assert.deepEqual(first.created, ['mlops.yaml', '.gitignore entry']);
      assert.ok(existsSync(join(dir, '.mlops')));
      const cfg = loadConfig(dir);
      assert.ok(cfg.ok, `the starter mlops.yaml is valid: ${JSON.stringify(cfg)}`);
      assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules/\n.mlops/\n');
      writeFileSync(join(dir, 'mlops.yaml'), configYaml({ name: 'mine' }));
      const second = assertShape(initJson, await runCliJson(['init'], { cwd: dir }), 'init --json');
      assert.deepEqual(second.created, []);
      assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules/\n.mlops/\n', 'no duplicate entry');
      assert.match(readFileSync(join(dir, 'mlops.yaml'), 'utf8'), /name: mine/, 'an existing mlops.yaml is kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--json contracts', () => {
  test('a registry session: register, promote, alias, rollback, list, show, events, daemon status/stop', async () => {
    const r1 = assertShape(registerVersionResponse, await json(['models', 'register', 'churn', 'v1.onnx', '--description', 'first', '--tag', 'owner=ana', '--metric', 'auc=0.8']), 'register');
    assert.deepEqual([r1.version.version, r1.version.description, r1.version.tags, r1.version.metrics], [1, 'first', { owner: 'ana' }, { auc: 0.8 }]);
    assertShape(registerVersionResponse, await json(['models', 'register', 'churn', onnx2]), 'register');
    const p1 = assertShape(stageChangeResponse, await json(['models', 'promote', 'churn', '1', '--to', 'production', '--reason', 'first release']), 'promote');
    assert.equal(p1.version.stage, 'Production');
    const p2 = assertShape(stageChangeResponse, await json(['models', 'promote', 'churn', '2', '--to', 'Production']), 'promote');
    assert.deepEqual(p2.archived, [1]);
    const al = assertShape(aliasResponse, await json(['models', 'alias', 'churn', 'champion', '2']), 'alias');
    assert.deepEqual(al, { model: 'churn', alias: 'champion', version: 2, previous_version: null });
    const rb = assertShape(rollbackResponse, await json(['models', 'rollback', 'churn', '--reason', 'regression']), 'rollback');
    assert.deepEqual(rb, { model: 'churn', from_version: 2, to_version: 1 });
    const rm = assertShape(aliasResponse, await json(['models', 'alias', 'churn', 'champion', '--remove']), 'alias --remove');
    assert.equal(rm.version, null);
    const list = assertShape(z.array(modelSummarySchema), await json(['models', 'list']), 'models list');
    assert.deepEqual(list.map((m) => [m.name, m.production_version, m.latest_version]), [['churn', 1, 2]]);
    const show = assertShape(getModelResponse.omit({ next_cursor: true }), await json(['models', 'show', 'churn']), 'models show');
    assert.deepEqual(show.versions.map((v) => [v.version, v.stage]), [[2, 'Archived'], [1, 'Production']]);
    const events = assertShape(z.array(eventSchema), await json(['events']), 'events');
    const kinds = events.map((e) => e.kind).filter((k) => k.startsWith('model.'));
    assert.deepEqual(kinds, ['model.created', 'model.version_registered', 'model.version_registered', 'model.stage_changed', 'model.stage_changed', 'model.alias_set', 'model.rolled_back', 'model.alias_removed']);
    assert.ok(events.every((e) => e.actor.startsWith('cli:') || e.actor === 'daemon'), 'the CLI records its user as actor');
    const st = assertShape(daemonStatusJson, await json(['daemon', 'status']), 'daemon status');
    assert.ok(st.running, 'the daemon is running');
    assert.equal(st.counts.models, 1);
    assertShape(daemonStartJson, await json(['daemon', 'start']), 'daemon start');
    assertShape(daemonStopJson, await json(['daemon', 'stop']), 'daemon stop');
    const down = await cli(['daemon', 'status', '--json']);
    assert.equal(down.code, 3, 'status exits 3 when no daemon runs');
    assert.deepEqual(JSON.parse(down.stdout), { running: false, root: project.root });
  });

  test('readable output by default: tables with headers', async () => {
    const r = await cli(['models', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0] ?? '', /^MODEL\s+LATEST\s+VERSIONS\s+PRODUCTION/);
    assert.match(r.stdout, /^churn\s+2\s+2\s+1/m);
  });
});

describe('errors: one line on stderr, non-zero exit', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['unknown command', ['frobnicate'], 2, /unknown command "frobnicate"/],
    ['missing argument', ['models', 'promote', 'churn'], 2, /missing argument <version>/],
    ['unknown option', ['models', 'list', '--bogus'], 2, /bogus/],
    ['missing --to', ['models', 'promote', 'churn', '1'], 1, /--to/],
    ['unknown stage', ['models', 'promote', 'churn', '1', '--to', 'Prod'], 1, /--to "Prod": expected one of/],
    ['version not a number', ['models', 'promote', 'churn', 'one', '--to', 'Staging'], 1, /version "one"/],
    ['unknown model', ['models', 'show', 'ghost'], 1, /model "ghost" not found/],
    ['missing artifact', ['models', 'register', 'churn', 'nope.onnx'], 1, /nope\.onnx/],
    ['bad tag', ['models', 'register', 'churn', 'v1.onnx', '--tag', 'novalue'], 1, /--tag "novalue": expected key=value/],
    ['rollback without history', ['models', 'rollback', 'ghost'], 1, /ghost/],
  ];
  for (const [name, args, code, message] of cases) {
    test(`${name}: mlops ${args.join(' ')}`, async () => {
      const r = await cli(args);
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^mlops: error: /);
      assert.match(r.stderr, message);
    });
  }

  test('outside any project: says so and how to fix it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-none-'));
    try {
      const r = await runCli(['models', 'list'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^mlops: error: no MLOps project here .*mlops init/);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Several problems in mlops.yaml still make one line on stderr.
  test('cli: an invalid mlops.yaml during register is reported on one line', async () => {
    const dir = tempProject({ config: 'version: 1\nproject:\n  name: x\nmodels:\n  churn:\n    task: sorting\nbogus: 1\n' });
    try {
      const file = writeLinearOnnx(join(dir.root, 'm.onnx'), { features: 2 });
      const r = await runCli(['models', 'register', 'churn', file], { cwd: dir.root });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /mlops\.yaml/);
      assert.match(r.stderr, /models\.churn\.task/);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
    } finally {
      await dir.cleanup();
    }
  });
});
