/**
 * Quick fixes that do work an edit cannot, on the transport-free core with real files and real
 * interpreters: copying a data file from outside into the project (safe-fs rules: no links, no
 * replacing other content, inside the project), and making `from mlops import params` importable
 * for Debian's externally managed python3 and for virtual environments (with and without pip).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PythonDocument, initPython } from '../../../language-server/src/python';
import { mlopsPackageDir, probeInterpreter } from '../../../language-server/src/python/importable';
import { copyDataIntoProject, runFixAction } from '../../../language-server/src/python/fix-actions';
import { type Fix } from '../../../language-server/src/core';

const DEBIAN_PY = '/usr/bin/python3';
const scratch = mkdtempSync(join(tmpdir(), 'mlops-fix-actions-'));
const savedPython = process.env.MLOPS_PYTHON;

before(async () => {
  await initPython();
  delete process.env.MLOPS_PYTHON;
});
after(() => {
  if (savedPython !== undefined) process.env.MLOPS_PYTHON = savedPython;
  rmSync(scratch, { recursive: true, force: true });
});

let n = 0;
function project(yaml = 'version: 1\n'): { dir: string; yamlUri: string; pyUri: string } {
  const dir = join(scratch, `p${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'mlops.yaml'), yaml);
  return { dir, yamlUri: pathToFileURL(join(dir, 'mlops.yaml')).href, pyUri: pathToFileURL(join(dir, 'train.py')).href };
}

function fixesFor(p: ReturnType<typeof project>, code: string, yaml: string | undefined = readFileSync(join(p.dir, 'mlops.yaml'), 'utf8')): Fix[] {
  const doc = new PythonDocument(p.pyUri, { locateConfig: () => ({ uri: p.yamlUri, ...(yaml === undefined ? {} : { text: yaml }) }) });
  const diags = doc.validate(code);
  return diags.flatMap((d) => doc.fixes(d.range).map((f) => f.fix));
}

describe('copy a data file from outside into the project', () => {
  const outside = join(scratch, 'outside');
  mkdirSync(outside);
  // Real-sized: 8 MiB of bytes that do not compress, copied through the staged temp file.
  const source = join(outside, 'churn.csv');
  writeFileSync(source, randomBytes(8 << 20));

  test('the fix: a command-carrying action, then the read rewritten and the dataset declared', async () => {
    const p = project();
    const fixes = fixesFor(p, `import pandas as pd\ndf = pd.read_csv("${source}")\nagain = pd.read_csv("${source}")\n`);
    assert.match(fixes[0]?.title ?? '', /^Move the path to mlops\.yaml as params\.data\.churn/, 'moving into params stays the preferred fix');
    const copy = fixes.find((f) => f.action?.kind === 'copy-data');
    assert.ok(copy, fixes.map((f) => f.title).join('\n'));
    assert.equal(copy.preferred, false);
    assert.deepEqual(copy.action, { kind: 'copy-data', source, root: p.dir, target: 'data/churn.csv' });
    assert.deepEqual(copy.changes?.[p.pyUri]?.map((e) => e.newText), ['"data/churn.csv"', '"data/churn.csv"'], 'every read of the same path');
    assert.match(copy.changes?.[p.yamlUri]?.map((e) => e.newText).join('') ?? '', /data:\n  churn:\n    paths: \[data\/churn\.csv\]\n/);
    const r = await runFixAction(copy.action!);
    assert.deepEqual(r.ok, true, r.message);
    assert.ok(readFileSync(join(p.dir, 'data', 'churn.csv')).equals(readFileSync(source)));
    assert.equal((await runFixAction(copy.action!)).ok, true, 'the same content again is fine');
  });

  test('no copy is offered for a path that names no file, or a write', () => {
    const p = project();
    const titles = fixesFor(p, `import pandas as pd\ndf = pd.read_csv("${join(outside, 'missing.csv')}")\ndf.to_csv("${source}")\n`).map((f) => f.title);
    assert.ok(titles.length > 0);
    assert.ok(titles.every((t) => !t.startsWith('Copy')), titles.join('\n'));
  });

  test('refused: a target with other content, a link at the target, a linked folder, a linked source', async () => {
    const p = project();
    mkdirSync(join(p.dir, 'data'));
    writeFileSync(join(p.dir, 'data', 'churn.csv'), 'other');
    const other = await copyDataIntoProject({ source, root: p.dir, target: 'data/churn.csv' });
    assert.equal(other.ok, false);
    assert.match(other.message, /already exists with other content/);
    assert.equal(readFileSync(join(p.dir, 'data', 'churn.csv'), 'utf8'), 'other', 'nothing replaced');

    symlinkSync(join(outside, 'elsewhere.csv'), join(p.dir, 'data', 'linked.csv'));
    assert.equal((await copyDataIntoProject({ source, root: p.dir, target: 'data/linked.csv' })).ok, false);
    assert.equal(existsSync(join(outside, 'elsewhere.csv')), false, 'nothing written through the link');

    const q = project();
    const away = join(scratch, 'away');
    mkdirSync(away);
    symlinkSync(away, join(q.dir, 'data'));
    const linkedDir = await copyDataIntoProject({ source, root: q.dir, target: 'data/churn.csv' });
    assert.equal(linkedDir.ok, false);
    assert.match(linkedDir.message, /symbolic link/);
    assert.equal(existsSync(join(away, 'churn.csv')), false);

    const alias = join(outside, 'alias.csv');
    symlinkSync(source, alias);
    assert.match((await copyDataIntoProject({ source: alias, root: q.dir, target: 'x/alias.csv' })).message, /symbolic link/);
    assert.match((await copyDataIntoProject({ source, root: q.dir, target: '../escape.csv' })).message, /not a plain path inside the project/);
    assert.equal(existsSync(join(scratch, 'escape.csv')), false);
  });
});

test('a fix on a project whose mlops.yaml does not parse writes nothing: no fix is offered', () => {
  const p = project();
  const broken = 'version: 1\nparams: [\n';
  assert.deepEqual(fixesFor(p, 'clf = SVC(C=10)\n', broken), []);
  assert.deepEqual(fixesFor(p, `import pandas as pd\ndf = pd.read_csv("${join(scratch, 'outside', 'churn.csv')}")\n`, broken), []);
});

describe('making `from mlops import params` importable', () => {
  const code = 'clf = SVC(C=10)\n';
  const byKind = (fixes: Fix[]): Record<string, Fix | undefined> => ({
    noted: fixes[0],
    install: fixes.find((f) => f.action?.kind === 'install-module'),
    env: fixes.find((f) => Object.keys(f.changes ?? {}).some((u) => u.endsWith('/.env'))),
    shim: fixes.find((f) => f.createFile?.endsWith('/mlops.py')),
  });

  test("Debian's python3 is externally managed: no pip install offered, the reason said; PYTHONPATH in .env works", () => {
    const p = project(`version: 1\npython:\n  interpreter: ${DEBIAN_PY}\n`);
    const probe = probeInterpreter(DEBIAN_PY, p.dir, { fresh: true });
    assert.equal(probe.externallyManaged, true, 'this machine runs Debian with PEP 668');
    if (probe.mlops) return; // someone installed the module system-wide: nothing to fix here
    const f = byKind(fixesFor(p, code));
    assert.match(f.noted?.title ?? '', new RegExp(`note: ${DEBIAN_PY} cannot import mlops in this project yet; ${DEBIAN_PY} is externally managed \\(PEP 668`));
    assert.equal(f.install, undefined);
    assert.ok(f.shim, 'the module copy stays as the last resort');
    const env = f.env?.changes?.[pathToFileURL(join(p.dir, '.env')).href]?.[0]?.newText ?? '';
    assert.equal(env, `PYTHONPATH=${mlopsPackageDir()}\n`);
    const r = spawnSync(DEBIAN_PY, ['-c', 'from mlops import params'], { cwd: p.dir, env: { PATH: process.env.PATH, PYTHONPATH: env.trim().split('=')[1] } });
    assert.equal(r.status, 0, String(r.stderr));
  });

  test('a virtual environment with pip: installed from the local package, nothing downloaded, then importable', { timeout: 180_000 }, async () => {
    const p = project();
    const made = spawnSync(DEBIAN_PY, ['-m', 'venv', join(p.dir, '.venv')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(made.status, 0, made.stderr);
    const python = join(p.dir, '.venv', 'bin', 'python');
    const f = byKind(fixesFor(p, code));
    assert.match(f.noted?.title ?? '', new RegExp(`note: ${python} cannot import mlops in this project yet\\)$`));
    assert.deepEqual(f.install?.action, { kind: 'install-module', python, root: p.dir, packageDir: mlopsPackageDir() });
    assert.match(f.install?.title ?? '', /nothing is downloaded/);
    // Only the project's interpreter is accepted, whatever an editor sends back.
    assert.match((await runFixAction({ kind: 'install-module', python: DEBIAN_PY, root: p.dir, packageDir: mlopsPackageDir() ?? '' })).message, /not this project's interpreter/);
    const r = await runFixAction(f.install!.action!);
    assert.equal(r.ok, true, r.message);
    const other = mkdtempSync(join(scratch, 'elsewhere-'));
    assert.equal(spawnSync(python, ['-c', 'import mlops; mlops.params'], { cwd: other }).status, 0, 'importable from any folder');
    assert.deepEqual(fixesFor(p, code).map((x) => x.title), ['Move to mlops.yaml as params.train.C'], 'nothing more to offer');
    assert.equal(existsSync(join(mlopsPackageDir() ?? '', 'build')), false, "pip's build files stay out of the Workbench's package");
  });

  test('a virtual environment without pip: the install is not offered and the reason is said', () => {
    const p = project();
    const made = spawnSync(DEBIAN_PY, ['-m', 'venv', '--without-pip', join(p.dir, '.venv')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(made.status, 0, made.stderr);
    const f = byKind(fixesFor(p, code));
    assert.match(f.noted?.title ?? '', /has no pip/);
    assert.equal(f.install, undefined);
    assert.ok(f.env && f.shim);
  });
});
