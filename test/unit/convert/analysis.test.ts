/**
 * The conversion core without Python: sectioning, def/use analysis (inputs, outputs, producers,
 * in-place mutation, aliases, travelling functions, files), magics, refusals, params lifted, and
 * the merge into mlops.yaml. Notebooks are written inline in percent format (make.ts).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { initPython } from '../../../language-server/src/python/parser';
import { convertNotebook, type ConvertResult } from '../../../language-server/src/convert';
import { percentToNotebook } from '../../fixtures/notebooks/make';
import { type SectionBy } from '../../../schemas/src/convert';

before(async () => {
  await initPython();
});

function convert(source: string, opts: { yaml?: string; by?: SectionBy } = {}): ConvertResult {
  return convertNotebook({ notebookJson: percentToNotebook(source), notebook: 'nb.ipynb', projectName: 't', ...(opts.yaml !== undefined ? { yamlText: opts.yaml } : {}), ...(opts.by ? { by: opts.by } : {}) });
}

/** `stage: in a<from b<from | out x y` per stage. */
function wiring(r: ConvertResult): string[] {
  return r.plan.stages.map((s) => `${s.name}: in ${s.inputs.map((i) => `${i.name}<${i.from}`).join(' ')} | out ${s.outputs.join(' ')}`.replace(/ +\|/, ' |').replace(/ +$/, ''));
}

const sections = (...bodies: string[]): string => bodies.map((b, i) => `# %% [markdown]\n# ## S${i + 1}\n# %%\n${b}\n`).join('');

test('a name re-bound across sections comes from the latest section that assigns it', () => {
  const r = convert(sections('x = 1', 'x = x + 1', 'y = 2', 'print(x, y)'));
  assert.deepEqual(wiring(r), ['s1: in | out x', 's2: in x<s1 | out x', 's3: in | out y', 's4: in x<s2 y<s3 | out']);
});

test('in-place mutation is an output: subscript, attribute, inplace=True, mutating methods, augmented assignment', () => {
  for (const body of ['df["c"] = 1', 'df.attr = 1', 'df.dropna(inplace=True)', 'df.append(3)', 'model.fit(df)', 'df += [1]', 'df.loc[0, "a"] = 2', 'np.random.shuffle(df)']) {
    const r = convert(sections('import numpy as np\ndf = [1]\nmodel = object()', body, 'print(df, model)'));
    const mutated = body.startsWith('model') ? 'model' : 'df';
    assert.deepEqual(r.plan.stages[1]?.outputs, [mutated], body);
    assert.ok(r.plan.stages[2]?.inputs.some((i) => i.name === mutated && i.from === 's2'), body);
  }
});

test('mutation through an alias and through a loop variable over a container of names', () => {
  const r = convert(sections('a = [1]\nb = [2]\nc = [3]', 'alias = a\nalias.append(9)\nfor d in [b, c]:\n    d.append(0)', 'print(a, b, c)'));
  assert.deepEqual(r.plan.stages[2]?.inputs, [{ name: 'a', from: 's2' }, { name: 'b', from: 's2' }, { name: 'c', from: 's2' }]);
});

test('a plain read is no output; comprehension variables stay local', () => {
  const r = convert(sections('v = [1, 2]', 'w = [i * 2 for i in v]\nprint(sum(v))', 'print(w, v)'));
  assert.deepEqual(wiring(r), ['s1: in | out v', 's2: in v<s1 | out w', 's3: in w<s2 v<s1 | out']);
});

test('functions and classes travel with their free variables and the imports they use', () => {
  const src = sections(
    'import math\nK = 3\ndef helper(v):\n    return math.floor(v * K)\nclass Box:\n    def size(self):\n        return helper(2)\nsq = lambda q: q * K',
    'print(Box().size(), sq(2))',
  );
  const r = convert(src);
  const s2 = r.plan.stages[1];
  assert.deepEqual(s2?.functions, ['helper', 'Box', 'sq']);
  assert.deepEqual(s2?.inputs, [{ name: 'K', from: 's1' }]);
  const script = r.files.find((f) => f.path === s2?.script)?.text ?? '';
  assert.match(script, /^import math$/m);
  assert.match(script, /^def helper\(v\):\n {4}return math\.floor\(v \* K\)$/m);
  assert.match(script, /^K = _io\.load\("s1", "K"\)$/m);
});

test('files read and written become deps and outs, wiring a dependency that exists only through a file', () => {
  const r = convert(sections('import pandas as pd\npd.DataFrame({"a": [1]}).to_csv("out/a.csv")', 'b = pd.read_csv("out/a.csv")\nprint(b)'));
  assert.deepEqual(r.plan.stages[0]?.outs, ['out/a.csv']);
  assert.ok(r.plan.stages[1]?.deps.includes('out/a.csv'));
});

test('paths are made project-relative from the notebook folder', () => {
  const r = convertNotebook({ notebookJson: percentToNotebook(sections('import pandas as pd\nd = pd.read_csv("../data/x.csv")', 'print(d)')), notebook: 'notebooks/nb.ipynb', projectName: 't' });
  assert.ok(r.plan.stages[0]?.deps.includes('data/x.csv'), JSON.stringify(r.plan.stages[0]?.deps));
});

test('sections: the most frequent heading level giving two or more sections, or an explicit one', () => {
  const src = '# %% [markdown]\n# # Title\n# %%\na = 1\n# %% [markdown]\n# ## One\n# %%\nb = a\n# %% [markdown]\n# ## Two\n# %%\nprint(b)\n';
  assert.equal(convert(src).plan.by, 'h2');
  assert.deepEqual(convert(src).plan.stages.map((s) => s.name), ['setup', 'one', 'two']);
  assert.deepEqual(convert(src, { by: 'h1' }).plan.stages.map((s) => s.name), ['title']);
});

test('no headings nor tags: one stage with a note', () => {
  const r = convert('# %%\nx = 1\n# %%\nprint(x)\n');
  assert.equal(r.plan.by, 'none');
  assert.deepEqual(r.plan.stages.map((s) => s.name), ['notebook']);
  assert.match(r.plan.notes[0]?.message ?? '', /one stage/);
});

test('Kale tags: block/step names, prev, skip, imports', () => {
  const r = convert('# %% tags=["imports"]\nimport os\n# %% tags=["block:a"]\nx = os.sep\n# %% tags=["skip"]\nprint(x)\n# %% tags=["step:b", "prev:a"]\nprint(x)\n# %% tags=["block:c", "prev:a"]\nprint(1)\n');
  assert.equal(r.plan.by, 'tags');
  assert.deepEqual(r.plan.stages.map((s) => [s.name, s.cells]), [['a', [2]], ['b', [4]], ['c', [5]]]);
  assert.deepEqual(parse(r.yaml ?? '').pipeline.stages.c.after, ['a']);
  assert.equal(parse(r.yaml ?? '').pipeline.stages.b.after, undefined); // implied by its input
});

test('magics: %matplotlib dropped, %time unwrapped, !pip install reported, unknown magics refused', () => {
  const r = convert(sections('%matplotlib inline\n%time x = 1\n!pip install pandas', 'print(x)'));
  assert.deepEqual(r.plan.refusals, []);
  assert.match(r.plan.notes.map((n) => n.message).join('\n'), /pip install pandas` not converted/);
  const script = r.files.find((f) => f.path === r.plan.stages[0]?.script)?.text ?? '';
  assert.match(script, /^x = 1$/m);
  const bad = convert(sections('%%bash\necho hi', 'y = !ls'));
  assert.deepEqual(bad.plan.refusals.map((p) => [p.cell, p.line]), [[2, 1], [4, 1]]);
  assert.deepEqual(bad.files, []);
});

test('refusals name cell and line: star import, global write across sections, unpicklable value, undefined name', () => {
  const cases: [string, RegExp, [number, number]][] = [
    [sections('x = 1', 'from os import *\ny = 2'), /import \*/, [4, 1]],
    [sections('n = 0\ndef inc():\n    global n\n    n = n + 1', 'inc()'), /writes the global `n`/, [4, 1]],
    [sections('f = open("a.txt")', 'print(f.read())'), /cannot be pickled/, [4, 1]],
    [sections('g = (i for i in range(3))', 'print(list(g))'), /cannot be pickled/, [4, 1]],
    [sections('print(ghost)', 'ghost = 1'), /no earlier section defines/, [2, 1]],
  ];
  for (const [src, re, [cell, line]] of cases) {
    const r = convert(src);
    assert.equal(r.plan.refusals.length, 1, JSON.stringify(r.plan.refusals));
    assert.match(r.plan.refusals[0]?.message ?? '', re);
    assert.deepEqual([r.plan.refusals[0]?.cell, r.plan.refusals[0]?.line], [cell, line]);
    assert.deepEqual(r.files, []);
    assert.equal(r.yaml, undefined);
  }
});

test('a global write inside its own section is an output of that section', () => {
  const r = convert(sections('n = 0\ndef inc():\n    global n\n    n = n + 1\ninc()', 'print(n)'));
  assert.deepEqual(r.plan.refusals, []);
  assert.deepEqual(r.plan.stages[1]?.inputs, [{ name: 'n', from: 's1' }]);
});

test('literal hyperparameters are lifted into params and read through mlops.params(); floats stay floats', () => {
  const r = convert(sections('from sklearn.linear_model import LogisticRegression\nm = LogisticRegression(C=1.0, max_iter=300)', 'print(m)'));
  assert.deepEqual(r.plan.params, { 'train.C': 1, 'train.max_iter': 300 });
  const script = r.files.find((f) => f.path === r.plan.stages[0]?.script)?.text ?? '';
  assert.match(script, /LogisticRegression\(C=float\(_params\["train"\]\["C"\]\), max_iter=_params\["train"\]\["max_iter"\]\)/);
  assert.match(script, /^_params = mlops\.params\(\)$/m);
  const doc = parse(r.yaml ?? '');
  assert.deepEqual(doc.params.train, { C: 1, max_iter: 300 });
  assert.match(r.yaml ?? '', /C: 1\.0/);
  assert.deepEqual(doc.pipeline.stages.s1.params, ['train.C', 'train.max_iter']);
});

test('merging keeps the user\'s mlops.yaml: comments stay, existing params are reused, a clashing stage is a conflict', () => {
  const yaml = '# my project\nversion: 1\nproject:\n  name: t\nparams:\n  train:\n    max_iter: 300  # tuned\npipeline:\n  stages:\n    s2:\n      cmd: echo mine\n';
  const r = convert(sections('from sklearn.linear_model import LogisticRegression\nm = LogisticRegression(max_iter=300)', 'print(m)'), { yaml });
  assert.deepEqual(r.plan.conflicts, ['pipeline.stages.s2']);
  const text = r.yaml ?? '';
  assert.ok(text.startsWith('# my project\n'));
  assert.match(text, /max_iter: 300 {2}# tuned/);
  assert.equal(parse(text).pipeline.stages.s2.cmd, 'echo mine');
  assert.equal(parse(text).pipeline.stages.s1.cmd, 'python3 pipeline/01_s1.py');
  // Converting again changes nothing.
  const again = convert(sections('from sklearn.linear_model import LogisticRegression\nm = LogisticRegression(max_iter=300)', 'print(m)'), { yaml: text });
  assert.equal(again.yaml, undefined);
});

test('a trailing bare expression is displayed, print calls and `;` are not wrapped', () => {
  const r = convert(sections('x = 2\nx * 3', 'print(x)', 'x;'));
  const text = r.files.map((f) => f.text).join('\n');
  assert.match(text, /_io\.show\(\(x \* 3\)\)/);
  assert.doesNotMatch(text, /_io\.show\(\(print/);
  assert.doesNotMatch(text, /_io\.show\(\(x\)\)/);
});

test('the test fixtures convert without refusals (or with exactly the one they are about)', () => {
  const dir = join(__dirname, '..', '..', 'fixtures', 'notebooks');
  for (const name of ['rebind', 'helper_constant', 'inplace', 'alias', 'split', 'file_dep', 'plots', 'magics', 'kale', 'no_headings']) {
    const r = convertNotebook({ notebookJson: readFileSync(join(dir, `${name}.ipynb`), 'utf8'), notebook: `${name}.ipynb`, projectName: 't' });
    assert.deepEqual(r.plan.refusals, [], name);
  }
  for (const name of ['refuse_star', 'refuse_global', 'refuse_unpicklable', 'refuse_undefined']) {
    const r = convertNotebook({ notebookJson: readFileSync(join(dir, `${name}.ipynb`), 'utf8'), notebook: `${name}.ipynb`, projectName: 't' });
    assert.equal(r.plan.refusals.length, 1, name);
  }
});

test('not a notebook: a clear error naming the file', () => {
  assert.throws(() => convertNotebook({ notebookJson: '{"cells": 3}', notebook: 'x.ipynb', projectName: 't' }), /x\.ipynb: not a notebook/);
  assert.throws(() => convertNotebook({ notebookJson: 'nope', notebook: 'x.ipynb', projectName: 't' }), /x\.ipynb: not a notebook \(JSON/);
});
