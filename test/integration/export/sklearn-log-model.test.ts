/**
 * `mlops.log_model` end to end: Debian's python3 + python3-sklearn fit each of 19 supported estimator kinds on 1,000
 * generated rows and register it through a real daemon (the built-in exporter: skl2onnx is not installable here);
 * the test loads the registered ONNX from the object store with onnxruntime-node and requires probabilities equal
 * to predict_proba within 1e-5, regressions within 1e-5 (relative), and every label equal to predict.
 *
 * Inputs are float32, as served requests are; the rows are float32-representable so that scikit-learn sees the
 * very values onnxruntime sees. Tree thresholds are rounded down to float32, which makes every split decide as
 * scikit-learn's does, so tree ensembles too must match on all rows (no 0.1 % allowance is used).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { startDaemon, tempProject, configYaml, type RunningDaemon, type TempProject } from '../../helpers';
import { parseOnnxModel } from '../../../daemon/src/onnx/model';
import * as endpoints from '../../../schemas/src/endpoints';
import { type exportSklearnRequest } from '../../../schemas/src/export';
import { type z } from 'zod';
import { ApiError } from '../../../client/src/client';
import { PYTHON, PYTHON_SKIP, mlopsWarnings, py, runPython } from '../tracking-clients/support';

const SKLEARN_SKIP =
  PYTHON_SKIP ||
  (spawnSync(PYTHON, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' }).status === 0
    ? false
    : `${PYTHON} cannot import sklearn: install Debian's python3-sklearn to run the scikit-learn export tests`);

const FEATURES = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];

interface CaseResult {
  version: number;
  run_id: string | null;
  X: number[][];
  predict: (number | string)[];
  proba?: number[][];
}

let project: TempProject;
let daemon: RunningDaemon;
let results: Record<string, CaseResult>;
let runId: string;

/** Fits every case, logs it inside one run, and writes what scikit-learn predicts to results.json. */
const FIT_ALL = py`
  import json
  import numpy as np
  import mlops
  from sklearn.datasets import make_classification, make_regression
  from sklearn.linear_model import LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression
  from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
  from sklearn.ensemble import (RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier,
                                ExtraTreesRegressor, GradientBoostingClassifier, GradientBoostingRegressor)
  from sklearn.pipeline import make_pipeline
  from sklearn.preprocessing import StandardScaler

  def f32(X):
      return X.astype(np.float32).astype(np.float64)

  def classes(k, seed):
      X, y = make_classification(1000, 8, n_informative=5, n_redundant=1, n_classes=k, random_state=seed)
      return f32(X * 3 + 10), y

  def regression(seed):
      X, y = make_regression(1000, 8, n_informative=6, noise=10.0, random_state=seed)
      return f32(X * 2 - 1), y

  Xb, yb = classes(2, 1)
  Xm, ym = classes(3, 2)
  Xr, yr = regression(3)
  names = np.array(["no", "yes"])
  cases = {
      "linear": (LinearRegression(), Xr, yr),
      "ridge": (make_pipeline(StandardScaler(), Ridge(alpha=3.0)), Xr, yr),
      "lasso": (Lasso(alpha=0.5), Xr, yr),
      "elasticnet": (ElasticNet(alpha=0.3, l1_ratio=0.4), Xr, yr),
      "logistic-binary": (make_pipeline(StandardScaler(), LogisticRegression()), Xb, yb),
      "logistic-strings": (LogisticRegression(max_iter=2000), Xb, names[yb]),
      "logistic-binary-multinomial": (LogisticRegression(multi_class="multinomial"), Xb, yb),
      "logistic-multinomial": (LogisticRegression(max_iter=2000), Xm, ym),
      "logistic-ovr": (LogisticRegression(solver="liblinear"), Xm, ym),
      "tree-classifier": (DecisionTreeClassifier(max_depth=12, random_state=0), Xm, ym),
      "tree-regressor": (DecisionTreeRegressor(min_samples_leaf=3, random_state=0), Xr, yr),
      "forest-classifier": (RandomForestClassifier(n_estimators=60, random_state=0), Xb, yb),
      "forest-regressor": (RandomForestRegressor(n_estimators=40, random_state=0), Xr, yr),
      "extra-trees-classifier": (make_pipeline(StandardScaler(), ExtraTreesClassifier(n_estimators=40, random_state=0)), Xm, ym),
      "extra-trees-regressor": (ExtraTreesRegressor(n_estimators=40, min_samples_leaf=2, random_state=0), Xr, yr),
      "boosting-binary": (GradientBoostingClassifier(n_estimators=80, random_state=0), Xb, yb),
      "boosting-exponential": (GradientBoostingClassifier(loss="exponential", n_estimators=50, random_state=0), Xb, yb),
      "boosting-multiclass": (GradientBoostingClassifier(n_estimators=40, max_depth=2, random_state=0), Xm, ym),
      "boosting-regressor": (GradientBoostingRegressor(n_estimators=120, learning_rate=0.05, random_state=0), Xr, yr),
  }
  out = {}
  with mlops.start_run(experiment="export") as run:
      print("RUN=" + run.id)
      for key, (est, X, y) in cases.items():
          est.fit(X, y)
          v = mlops.log_model(est, "m-" + key, feature_names=["f%d" % i for i in range(8)], tags={"case": key})
          r = {"version": v["version"], "run_id": v["source_run_id"], "X": X.tolist(), "predict": est.predict(X).tolist()}
          if hasattr(est, "predict_proba"):
              r["proba"] = est.predict_proba(X).tolist()
          out[key] = r
  with open("results.json", "w") as f:
      json.dump(out, f)
  print("DONE=1")
`;

async function loadVersion(name: string, version: number): Promise<Uint8Array> {
  const v = await daemon.client.request(endpoints.getModelVersion, { params: { name, version } });
  const sha = v.artifact_sha256;
  return readFileSync(join(project.stateDir, 'objects', sha.slice(0, 2), sha.slice(2)));
}

async function score(bytes: Uint8Array, X: number[][]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.flat()), [X.length, X[0]?.length ?? 0]) });
  } finally {
    await session.release();
  }
}

async function checkCase(key: string): Promise<void> {
  const r = results[key] as CaseResult;
  assert.ok(r, `case ${key} was logged`);
  assert.equal(r.run_id, runId, 'the version records the run it was logged in (lineage)');
  const bytes = await loadVersion(`m-${key}`, r.version);
  const info = parseOnnxModel(bytes);
  assert.equal(info.metadata['feature_names'], JSON.stringify(FEATURES));
  assert.equal(info.metadata['source'], 'scikit-learn');
  const out = await score(bytes, r.X);
  assert.equal(r.X.length, 1000);
  if (r.proba) {
    const k = (r.proba[0] as number[]).length;
    const p = out.probabilities as ort.Tensor;
    assert.deepEqual(p.dims, [1000, k]);
    let worst = 0;
    r.proba.forEach((row, i) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - (p.data[i * k + c] as number))))));
    assert.ok(worst <= 1e-5, `${key}: largest probability difference ${worst}`);
    const labels = [...(out.label as ort.Tensor).data].map((l) => (typeof l === 'bigint' ? Number(l) : l));
    const wrong = labels.filter((l, i) => l !== r.predict[i]).length;
    assert.equal(wrong, 0, `${key}: ${wrong} of 1000 labels differ from predict`);
  } else {
    const p = (out.prediction as ort.Tensor).data as Float32Array;
    assert.equal(p.length, 1000);
    r.predict.forEach((v, i) => {
      const e = v as number;
      assert.ok(Math.abs(e - (p[i] as number)) <= 1e-5 * Math.max(1, Math.abs(e)), `${key} row ${i}: ${p[i]} vs ${e}`);
    });
  }
}

const CASES = [
  'linear',
  'ridge',
  'lasso',
  'elasticnet',
  'logistic-binary',
  'logistic-strings',
  'logistic-binary-multinomial',
  'logistic-multinomial',
  'logistic-ovr',
  'tree-classifier',
  'tree-regressor',
  'forest-classifier',
  'forest-regressor',
  'extra-trees-classifier',
  'extra-trees-regressor',
  'boosting-binary',
  'boosting-exponential',
  'boosting-multiclass',
  'boosting-regressor',
];

describe('mlops.log_model with scikit-learn', { skip: SKLEARN_SKIP }, () => {
  before(async () => {
    project = tempProject({ prefix: 'mlops-export-', config: configYaml({ models: { guarded: { features: FEATURES } } }) });
    daemon = await startDaemon(project.root);
    const r = await runPython(FIT_ALL, { cwd: project.root, timeoutMs: 240_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out['DONE'], '1', r.stderr);
    assert.deepEqual(mlopsWarnings(r.stderr), []);
    runId = r.out['RUN'] as string;
    results = JSON.parse(readFileSync(join(project.root, 'results.json'), 'utf8')) as Record<string, CaseResult>;
  });
  after(async () => {
    await daemon?.stop();
    await project?.cleanup();
  });

  for (const key of CASES) test(`${key}: onnxruntime agrees with scikit-learn on 1,000 rows`, () => checkCase(key));

  test('feature names are checked against mlops.yaml: swapped columns are refused with a warning naming them', featureNamesChecked);

  test('unsupported, unfitted or mislabelled estimators raise MlopsError before anything is sent', refusedLocally);

  test('the endpoint names the parameter at fault: a tree child pointing backwards is a 422 invalid_estimator', endpointNamesFault);
});

async function featureNamesChecked(): Promise<void> {
  const r = await runPython(
    py`
      import mlops
      from sklearn.linear_model import LogisticRegression
      from sklearn.datasets import make_classification
      X, y = make_classification(200, 8, random_state=0)
      est = LogisticRegression().fit(X, y)
      ok = mlops.log_model(est, "guarded", feature_names=["f%d" % i for i in range(8)])
      print("OK=%s" % ok["version"])
      bad = mlops.log_model(est, "guarded", feature_names=["f1", "f0"] + ["f%d" % i for i in range(2, 8)])
      print("BAD=%s" % bad)
    `,
    { cwd: project.root },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.out['OK'], '1');
  assert.equal(r.out['BAD'], 'None');
  const warnings = mlopsWarnings(r.stderr).join('\n');
  assert.match(warnings, /was not registered/);
  assert.match(warnings, /feature 1 "f0": the model's column 1 is "f1"/);
}

async function refusedLocally(): Promise<void> {
  const r = await runPython(
    py`
      import mlops
      from sklearn.svm import SVC
      from sklearn.linear_model import LogisticRegression
      from sklearn.datasets import make_classification
      X, y = make_classification(100, 4, random_state=0)
      for est, names in ((SVC().fit(X, y), ["a", "b", "c", "d"]), (LogisticRegression(), ["a", "b", "c", "d"]),
                         (LogisticRegression().fit(X, y), ["a", "b"]), (LogisticRegression().fit(X, y), None)):
          try:
              mlops.log_model(est, "never", feature_names=names)
              print("RAISED=no")
          except mlops.MlopsError as e:
              print("ERR: %s" % e)
    `,
    { cwd: project.root },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /RAISED=no/);
  assert.match(r.stdout, /SVC is not supported by the built-in exporter.*install skl2onnx/);
  assert.match(r.stdout, /LogisticRegression is not fitted; call fit\(\) before log_model\(\)/);
  assert.match(r.stdout, /2 feature_names for an estimator fitted on 4 features/);
  assert.match(r.stdout, /pass feature_names=\[\.\.\.\]/);
  const models = await daemon.client.allModels();
  assert.ok(!models.some((m) => m.name === 'never'));
}

async function endpointNamesFault(): Promise<void> {
  const body: z.input<typeof exportSklearnRequest> = {
    feature_names: ['a'],
    estimator: {
      predictor: {
        kind: 'tree_ensemble_regressor',
        trees: [{ feature: [0, -2, -2], threshold: [0.5, -2, -2], children_left: [1, -1, -1], children_right: [0, -1, -1], value: [[0], [1], [2]] }],
      },
    },
  };
  await assert.rejects(daemon.client.request(endpoints.exportSklearn, { params: { name: 'bad' }, body }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 422);
    assert.equal(e.code, 'invalid_estimator');
    assert.match(e.message, /estimator\.predictor\.trees\[0\]\.children_left\[0\]: children 1\/0 must be later nodes/);
    return true;
  });
}
