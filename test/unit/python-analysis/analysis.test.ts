/**
 * Python analysis units: exemptions, rule settings, incremental re-analysis, notebooks (cells and
 * `.ipynb` JSON positions), magics, and the quick fix's edits to both files.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  NotebookSession,
  PythonAnalysis,
  PythonDocument,
  editYaml,
  importOffset,
  initPython,
  isTestFile,
  maskIpython,
  parseRuleConfig,
} from '../../../language-server/src/python';
import { Severity } from '../../../language-server/src/core';

before(async () => {
  await initPython();
});

const codes = (doc: PythonDocument, text: string): string[] => doc.validate(text).map((d) => `${d.range.start.line + 1}:${d.code}`);

test('flags hyperparameters, seeds, paths, thresholds and secrets; leaves generic numbers alone', () => {
  const text = [
    'import numpy as np',
    'model = XGBClassifier(max_depth=6, n_jobs=-1, verbosity=0)',
    'np.random.seed(0)',
    'for i in range(100): x = arr[3, 1:5].reshape(28, 28).sum(axis=1)',
    'if y_pred > 0.5: pass',
    'if count > 0.5: pass',
    'print("{:.3f}".format(0.25), f"{x:.2f}")',
    'token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"',
    'df = pd.read_csv(f"data/{name}.csv")',
    'lr = 0.01  # mlops: ignore',
  ].join('\n');
  assert.deepEqual(codes(new PythonDocument('file:///p/train.py'), text), ['2:hyperparameter', '3:seed', '5:threshold', '8:credential']);
});

test('test files are never flagged', () => {
  for (const uri of ['file:///p/test_train.py', 'file:///p/train_test.py', 'file:///p/tests/helpers.py']) {
    assert.deepEqual(codes(new PythonDocument(uri), 'LEARNING_RATE = 0.1\n'), [], uri);
  }
});

test('`test/` and `tests/` folders are test files, counted inside the project when its root is known', () => {
  assert.equal(isTestFile('file:///p/test/helpers.py'), true);
  assert.equal(isTestFile('tests/helpers.py'), true);
  assert.equal(isTestFile('test/unit/x.py'), true);
  assert.equal(isTestFile('file:///p/src/contest/latest_test_data.py'), false);
  assert.equal(isTestFile('file:///p/src/testing/x.py'), false);
  assert.equal(isTestFile('file:///home/u/test/proj/src/train.py', 'file:///home/u/test/proj/mlops.yaml'), false);
  assert.equal(isTestFile('file:///home/u/test/proj/test/x.py', 'file:///home/u/test/proj/mlops.yaml'), true);
  assert.equal(isTestFile('file:///home/u/proj/tests/x.py', 'file:///home/u/proj/mlops.yaml'), true);
  assert.deepEqual(codes(new PythonDocument('file:///p/test/helpers.py'), 'LEARNING_RATE = 0.1\n'), []);
  const project = { locateConfig: () => ({ uri: 'file:///w/test/proj/mlops.yaml' }) };
  assert.deepEqual(codes(new PythonDocument('file:///w/test/proj/train.py', project), 'LEARNING_RATE = 0.1\n'), ['1:hyperparameter-assignment']);
});

test('`# mlops: ignore` on the first line of a multi-line call or statement silences all of it, not a whole block', () => {
  const text = [
    'model = Model(  # mlops: ignore',
    '    n_estimators=500,',
    '    max_depth=8,',
    ')',
    'other = RandomForestClassifier(',
    '    n_estimators=100,  # mlops: ignore',
    '    max_depth=4,',
    ')',
    'def train(x):  # mlops: ignore',
    '    clf = SVC(  # mlops: ignore',
    '        C=10,',
    '    )',
    '    return fit(x, learning_rate=0.1)',
    'cfg = {  # mlops: ignore',
    '    "lr": 0.1,',
    '}',
    'for i in range(3):  # mlops: ignore',
    '    opt = Adam(lr=0.01)',
  ].join('\n');
  assert.deepEqual(codes(new PythonDocument('file:///p/train.py'), text), ['7:hyperparameter', '13:hyperparameter', '18:hyperparameter']);
});

test('generic keywords of plain tensor maths and reads of settings files are not flagged', () => {
  const negatives = [
    'torch.topk(x, k=5)',
    'torch.norm(x, p=2)',
    'F.normalize(x, p=2, dim=1)',
    'torch.add(a, b, alpha=2)',
    'nn.BatchNorm1d(64, eps=1e-5)',
    'torch.nn.functional.dropout(x, p=0.3)',
    'cfg = json.load(open("config.json"))',
    'cfg = yaml.safe_load(open("conf/params.yaml"))',
    'with open("pyproject.toml", "rb") as f: pass',
    'ini = open("setup.ini").read()',
    'cfg = open("tox.cfg").read()',
    'CONFIG_PATH = "configs/train.yaml"',
  ];
  for (const line of negatives) assert.deepEqual(codes(new PythonDocument('file:///p/a.py'), line), [], line);
  const positives = ['m = Ridge(alpha=0.5)', 'm = SVC(C=10)', 'm = nn.Dropout(p=0.4)', 'm = LogisticRegression(C=0.1)', 'b = xgb.train(p, d, num_boost_round=50)', 'x = open("data/labels.json").read()'];
  for (const line of positives) assert.equal(codes(new PythonDocument('file:///p/a.py'), line).length, 1, line);
});

test('rule settings: severities per rule, "off" removes, absolute paths one level stronger; bad settings are reported', () => {
  const text = 'LR = 0.1\nSEED = 3\ndf = pd.read_csv("/data/x.csv")\ndf2 = pd.read_csv("data/y.csv")\n';
  const { config, problems } = parseRuleConfig({ 'hyperparameter-assignment': 'warning', seed: 'off', bogus: 'x', threshold: 'loud' });
  assert.equal(problems.length, 2);
  assert.match(problems.join('\n'), /mlops\.pythonRules\.bogus: unknown rule/);
  assert.match(problems.join('\n'), /mlops\.pythonRules\.threshold: expected/);
  const doc = new PythonDocument('file:///p/a.py', { pythonRules: config });
  const diags = doc.validate(text);
  assert.deepEqual(diags.map((d) => [d.code, d.severity]), [
    ['hyperparameter-assignment', Severity.Warning],
    ['data-path', Severity.Warning],
    ['data-path', Severity.Information],
  ]);
});

test('repeated equal values share one key; an existing params key with the same value is reused', () => {
  const config = 'params:\n  model:\n    seed: 7\n';
  const doc = new PythonDocument('file:///p/a.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: config }) });
  doc.validate('a = f(random_state=42)\nb = g(random_state=42)\nc = h(seed=7)\nm = RandomForestClassifier(max_depth=3)\nn = RandomForestClassifier(max_depth=5)\n');
  assert.deepEqual(doc.findings.map((f) => f.key), ['train.seed', 'train.seed', 'model.seed', 'train.max_depth', 'train.max_depth_2']);
});

test('incremental: after an edit only changed statements are re-scanned, and results equal a fresh analysis', () => {
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) lines.push(`def f${i}():`, `    m = RandomForestClassifier(n_estimators=${i + 10})`, `    return m`, '');
  const text = lines.join('\n');
  const a = new PythonAnalysis();
  const first = a.findings(text);
  assert.equal(a.rescanned, 200);
  const edited = text.replace('n_estimators=50)', 'n_estimators=57)');
  const second = a.findings(edited);
  assert.equal(a.rescanned, 1);
  const fresh = new PythonAnalysis().findings(edited);
  assert.deepEqual(second, fresh);
  assert.equal(second.length, first.length);
  const inserted = 'X = 1\n' + edited;
  assert.deepEqual(a.findings(inserted), new PythonAnalysis().findings(inserted));
  assert.equal(a.rescanned, 1);
});

test('IPython magics and shell escapes are masked with offsets kept', () => {
  const cell = '%matplotlib inline\n!pip install x\nfiles = !ls data\nx = 1';
  const masked = maskIpython(cell);
  assert.equal(masked.length, cell.length);
  assert.equal(masked.split('\n')[2]?.length, 'files = !ls data'.length);
  assert.equal(maskIpython('%%bash\nls -la\n').startsWith('#'), true);
  assert.equal(maskIpython('%%bash\nls -la\n').split('\n')[1], '#s -la');
});

const NB = JSON.stringify(
  {
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Title "quoted"\n'] },
      { cell_type: 'code', metadata: {}, source: ['%time import x\n', 'import torch\n'], outputs: [] },
      { cell_type: 'code', metadata: {}, source: ['s = "a\\tb"; opt = torch.optim.Adam(p, lr=0.003)\n', 'torch.manual_seed(5)'], outputs: [] },
    ],
    metadata: { language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  },
  null,
  1,
);

test('.ipynb as JSON: diagnostics point into the JSON strings, across escapes', () => {
  const doc = new PythonDocument('file:///p/nb.ipynb');
  const diags = doc.validate(NB);
  assert.deepEqual(diags.map((d) => d.code), ['hyperparameter', 'seed']);
  const lines = NB.split('\n');
  for (const [d, literal] of [[diags[0], '0.003'], [diags[1], '5']] as const) {
    assert.ok(d);
    const line = lines[d.range.start.line] ?? '';
    assert.equal(line.slice(d.range.start.character, d.range.end.character), literal);
  }
  assert.deepEqual(new PythonDocument('file:///p/r.ipynb').validate('{"cells": [], "metadata": {"language_info": {"name": "R"}}}'), []);
  assert.deepEqual(new PythonDocument('file:///p/bad.ipynb').validate('{"cells": [ '), []);
});

test('.ipynb quick fix edits JSON-escaped text and inserts the import into the first code cell', () => {
  const doc = new PythonDocument('file:///p/nb.ipynb', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: 'version: 1\n' }) });
  const d = doc.validate(NB)[0];
  assert.ok(d);
  const fix = doc.fixes(d.range)[0]?.fix;
  assert.ok(fix?.changes);
  const edits = fix.changes['file:///p/nb.ipynb'] ?? [];
  assert.deepEqual(edits.map((e) => e.newText), ['params()[\\"train\\"][\\"lr\\"]', 'from mlops import params\\n']);
  assert.equal(fix.changes['file:///p/mlops.yaml']?.[0]?.newText, 'params:\n  train:\n    lr: 0.003\n');
});

test('LSP notebook cells: one program, diagnostics per cell, fixes may touch another cell', () => {
  const s = new NotebookSession('file:///p/nb.ipynb', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml' }) });
  const cells = [
    { uri: 'cell:1', text: '"""Doc."""\nimport torch' },
    { uri: 'cell:2', text: '!nvidia-smi\nEPOCHS = 12\nmodel.fit(x, y, epochs=12)' },
    { uri: 'cell:3', text: 'print(1)' },
  ];
  const res = s.validate(cells);
  assert.deepEqual([...res.keys()], ['cell:1', 'cell:2', 'cell:3']);
  assert.deepEqual(res.get('cell:2')?.map((d) => `${d.range.start.line}:${d.code}`), ['1:hyperparameter-assignment', '2:hyperparameter']);
  const fix = s.fixes('cell:2', { start: { line: 2, character: 0 }, end: { line: 2, character: 30 } })[0]?.fix;
  assert.ok(fix?.changes);
  assert.equal(fix.createFile, 'file:///p/mlops.yaml');
  assert.equal(fix.title, 'Move to mlops.yaml as params.train.epochs (2 occurrences)');
  assert.deepEqual(fix.changes['cell:1']?.map((e) => [e.range.start.line, e.newText]), [[1, 'from mlops import params\n']]);
  assert.equal(fix.changes['cell:2']?.length, 2);
  assert.match(fix.changes['file:///p/mlops.yaml']?.[0]?.newText ?? '', /params:\n {2}train:\n {4}epochs: 12\n/);
});

test('import goes after the docstring and __future__ imports; an existing `params` name gets an alias', () => {
  const text = '#!/usr/bin/env python\n"""Doc\nstring."""\nfrom __future__ import annotations\nimport os\n';
  assert.equal(text.slice(importOffset(text)), 'import os\n');
  const doc = new PythonDocument('file:///p/x.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: '' }) });
  const d = doc.validate('params = {"max_depth": 4}\n')[0];
  assert.ok(d);
  const edits = doc.fixes(d.range)[0]?.fix.changes?.['file:///p/x.py'] ?? [];
  assert.deepEqual(edits.map((e) => e.newText), ['mlops_params()["train"]["max_depth"]', 'from mlops import params as mlops_params\n']);
});

test('mlops.yaml edits keep comments and formatting; paths become datasets or stage outputs', () => {
  const yaml = '# Project\nversion: 1\nparams:\n  train:\n    lr: 0.1   # tuned\n\ndata:\n  raw: { paths: [a.csv] }\npipeline:\n  stages:\n    train:\n      cmd: python src/train.py\n      outs: [model.pkl]\n';
  const edit = editYaml(yaml, [{ op: 'set', path: ['params', 'train', 'epochs'], value: 5 }]);
  assert.ok(typeof edit !== 'string');
  assert.deepEqual(edit, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, newText: '    epochs: 5\n' }]);
  assert.match(String(editYaml('a: [', [])), /syntax error/);
  const doc = new PythonDocument('file:///p/src/train.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: yaml }) });
  const diags = doc.validate('df = pd.read_csv("data/in.parquet")\njoblib.dump(m, "out/m.joblib")\nx = pd.read_csv("a.csv")\n');
  assert.deepEqual(diags.map((d) => d.code), ['data-path', 'data-path'], 'a.csv is declared already');
  const read = doc.fixes(diags[0]?.range ?? diags[1]!.range)[0]?.fix;
  assert.equal(read?.title, 'Declare "data/in.parquet" as dataset data.in in mlops.yaml');
  const write = doc.fixes(diags[1]!.range)[0]?.fix;
  assert.equal(write?.title, 'Declare "out/m.joblib" as an output of stage "train" in mlops.yaml');
  assert.equal(Object.keys(write?.changes ?? {}).join(), 'file:///p/mlops.yaml');
});

test('real-code kinds: built paths, library I/O, model selection, positional and tuple arguments, grids, thresholds in functions', () => {
  const text = [
    'import os, lightgbm as lgb, xgboost as xgb',
    'knn = KNeighborsClassifier(3)',
    'cb = [lgb.early_stopping(5)]',
    'opt = optim.Adam(model.parameters(), lr=1e-3, betas=(beta1, 0.999))',
    'df = pd.read_csv(os.path.join(DATA_DIR, "housing.csv"))',
    'bst.save_model("model-0.json")',
    'scores = cross_val_score(clf, X, y, cv=10)',
    'grid = {"C": [0.1, 1, 10], "kernel": ["rbf", "linear"]}',
    'def pick(precisions, thresholds):',
    '    precision_threshold = 0.98',
    '    return thresholds[np.argmax(precisions >= 0.90)]',
    'ds = datasets.MNIST("../data", train=True, download=True)',
    'num_round = 120',
  ].join('\n');
  // lr and beta_2 of one call are one diagnostic (the second a related location).
  assert.deepEqual(codes(new PythonDocument('file:///p/train.py'), text), [
    '2:hyperparameter',
    '3:hyperparameter',
    '4:hyperparameter',
    '5:data-path',
    '6:data-path',
    '7:hyperparameter',
    '8:hyperparameter',
    '10:hyperparameter-assignment',
    '11:threshold',
    '12:data-path',
    '13:hyperparameter-assignment',
  ]);
});

test('a value repeated for one rule is one diagnostic with related locations, and its fix is offered at each of them', () => {
  const text = ['np.random.seed(42)', 'a = SVC(random_state=42)', 'b = RandomForestClassifier(random_state=42)'].join('\n');
  const doc = new PythonDocument('file:///p/train.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: 'version: 1\n' }) });
  const diags = doc.validate(text);
  assert.equal(diags.length, 1);
  assert.equal(diags[0]?.relatedInformation?.length, 2);
  assert.match(diags[0]?.message ?? '', /3 places/);
  const third = { start: { line: 2, character: 41 }, end: { line: 2, character: 43 } };
  const fix = doc.fixes(third)[0]?.fix;
  assert.equal(fix?.changes?.['file:///p/train.py']?.length, 4, 'three occurrences rewritten and the import added');
});

test('notebooks: findings in cells that only plot, and seeds drawing demo data, are hints', () => {
  const session = new NotebookSession('file:///p/demo.ipynb');
  const cells = [
    { uri: 'c0', text: 'X, y = make_blobs(100, 2, centers=2, random_state=2)\nplt.scatter(X[:, 0], X[:, 1])' },
    { uri: 'c1', text: 'plt.figure(figsize=(8, 4))\nplt.plot(x, y, alpha=0.5)\nplot_svm(SVC(C=10))' },
    { uri: 'c2', text: 'model = SVC(C=10, random_state=0).fit(X, y)' },
  ];
  const out = session.validate(cells);
  assert.deepEqual(out.get('c0')?.map((d) => d.severity), [Severity.Hint]);
  // C=10 shows once, where the model is trained; the plotting cell's copy is a related location.
  assert.deepEqual(out.get('c1'), []);
  assert.deepEqual(out.get('c2')?.map((d) => `${d.code}:${d.severity}`).sort(), ['hyperparameter:3', 'seed:3']);
  session.dispose();
});

test('a taken key asks: a new key, the existing value, or overwriting it; none is applied by default', () => {
  const yaml = 'version: 1\nparams:\n  train:\n    lr: 0.1\n';
  const doc = new PythonDocument('file:///p/train.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: yaml }) });
  const [d] = doc.validate('opt = SGD(params, lr=0.05)\n');
  assert.ok(d);
  const fixes = doc.fixes(d.range).map((f) => f.fix);
  assert.deepEqual(
    fixes.map((f) => f.title.replace(/ \(note:.*$/, '').split(/[(,]/)[0]?.trim()),
    ['Move to mlops.yaml under a new key', 'Use the existing params.train.lr', 'Overwrite params.train.lr'],
  );
  assert.ok(fixes.every((f) => !f.preferred));
  const overwrite = fixes[2]?.changes?.['file:///p/mlops.yaml'];
  assert.deepEqual(overwrite?.map((e) => e.newText), ['0.05']);
  assert.equal(fixes[1]?.changes?.['file:///p/mlops.yaml'], undefined, 'reusing leaves mlops.yaml alone');
});

test('an absolute data path gets a fix: into params, read through mlops.params(), with the versioning note', () => {
  const doc = new PythonDocument('file:///p/train.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: 'version: 1\n' }) });
  const [d] = doc.validate('df = pd.read_csv("/home/ana/data/churn.csv")\n');
  assert.ok(d);
  const fix = doc.fixes(d.range)[0]?.fix;
  assert.match(fix?.title ?? '', /params\.data\.churn.*not versioned/);
  assert.deepEqual(fix?.changes?.['file:///p/train.py']?.map((e) => e.newText), ['params()["data"]["churn"]', 'from mlops import params\n']);
  assert.match(fix?.changes?.['file:///p/mlops.yaml']?.[0]?.newText ?? '', /churn: \/home\/ana\/data\/churn\.csv/);
});
