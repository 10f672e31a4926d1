import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mlopsConfigSchema } from '../../../schemas/src/mlops-yaml';
import { FEATURES, LABEL, generateChurn } from '../../../examples/churn/lib/churn-data';
import { readNumericCsv, writeCsv } from '../../../examples/churn/lib/csv';
import { classificationMetrics, fitLogistic, predictProba, rocAuc } from '../../../examples/churn/lib/logistic';
import { DEFAULT_PARAMS, loadTrainParams } from '../../../examples/churn/lib/params';
import { Rng } from '../../../examples/churn/lib/random';
import { parseFlags } from '../../../examples/churn/lib/args';

const exampleDir = join(__dirname, '..', '..', '..', 'examples', 'churn');

describe('examples/churn/mlops.yaml', () => {
  const config = mlopsConfigSchema.parse(parse(readFileSync(join(exampleDir, 'mlops.yaml'), 'utf8')));

  test('is valid and declares the 20 generated features in order, as float, plus outputs', () => {
    const model = config.models.churn;
    assert.ok(model, 'models.churn');
    assert.equal(model.task, 'classification');
    assert.equal(model.signature.input_mode, 'tensor');
    assert.deepEqual(
      model.signature.inputs.map((f) => f.name),
      [...FEATURES],
    );
    assert.equal(FEATURES.length, 20);
    assert.ok(model.signature.inputs.every((f) => f.type === 'float'));
    assert.deepEqual(
      model.signature.outputs.map((o) => [o.name, o.type]),
      [
        ['probability', 'float'],
        ['label', 'int64'],
      ],
    );
    assert.deepEqual(config.data.train?.paths, ['data/train.csv']);
    assert.deepEqual(config.data.holdout?.paths, ['data/holdout.csv']);
  });

  test('its params.train resolve to the training parameters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'churn-params-'));
    try {
      const cfgPath = join(dir, 'mlops.yaml');
      writeFileSync(cfgPath, readFileSync(join(exampleDir, 'mlops.yaml')));
      const loaded = loadTrainParams({}, cfgPath);
      assert.deepEqual(loaded.params, config.params.train);
      assert.equal(loaded.source, cfgPath);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('churn data generator', () => {
  test('is deterministic per seed and differs across seeds', () => {
    const a = generateChurn(300, 5);
    const b = generateChurn(300, 5);
    const c = generateChurn(300, 6);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.train, c.train);
    assert.deepEqual(a.header, [...FEATURES, LABEL]);
    assert.equal(a.train.length + a.holdout.length, 300);
    assert.equal(a.holdout.length, 60);
  });

  test('values are in the declared ranges and the churn rate is realistic', () => {
    const { train } = generateChurn(3000, 1);
    const col = (name: string): number[] => train.map((r) => r[a(name)] as number);
    const a = (name: string): number => [...FEATURES, LABEL].indexOf(name);
    assert.ok(col('tenure_months').every((v) => v >= 0 && v <= 72 && Number.isInteger(v)));
    assert.ok(col('contract_type').every((v) => [0, 1, 2].includes(v)));
    assert.ok(col('satisfaction_score').every((v) => v >= 1 && v <= 5));
    assert.ok(col('monthly_charges').every((v) => v >= 18 && v <= 120));
    const rate = col(LABEL).reduce((s, v) => s + v, 0) / train.length;
    assert.ok(rate > 0.15 && rate < 0.4, `churn rate ${rate}`);
  });

  test('rejects a too-small row count', () => {
    assert.throws(() => generateChurn(3, 1), /--rows must be an integer of at least 10/);
  });

  test('Rng stays in [0,1) and its Poisson mean is about right', () => {
    const rng = new Rng(3);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      sum += rng.poisson(2);
    }
    assert.ok(Math.abs(sum / 20_000 - 2) < 0.05);
  });
});

describe('logistic regression', () => {
  test('learns the synthetic churn signal well above chance', () => {
    const { train, holdout } = generateChurn(2500, 11);
    const f = FEATURES.length;
    const split = (rows: number[][]): { x: Float64Array; y: Float64Array } => ({
      x: Float64Array.from(rows.flatMap((r) => r.slice(0, f))),
      y: Float64Array.from(rows.map((r) => r[f] as number)),
    });
    const tr = split(train);
    const ho = split(holdout);
    const model = fitLogistic(tr.x, tr.y, tr.y.length, f, { ...DEFAULT_PARAMS, epochs: 200 });
    const losses = model.losses;
    assert.ok((losses.at(-1) as number) < (losses[0] as number), 'training loss decreases');
    const m = classificationMetrics(ho.y, predictProba(model, ho.x, ho.y.length, f));
    assert.ok(m.auc > 0.75, `auc ${m.auc}`);
    assert.ok(m.accuracy > 0.7, `accuracy ${m.accuracy}`);
    assert.ok(m.log_loss < 0.55, `log_loss ${m.log_loss}`);
  });

  test('rocAuc: perfect, reversed, tied and one-class cases', () => {
    const y = Float64Array.from([0, 0, 1, 1]);
    assert.equal(rocAuc(y, Float64Array.from([0.1, 0.2, 0.8, 0.9])), 1);
    assert.equal(rocAuc(y, Float64Array.from([0.9, 0.8, 0.2, 0.1])), 0);
    assert.equal(rocAuc(y, Float64Array.from([0.5, 0.5, 0.5, 0.5])), 0.5);
    assert.equal(rocAuc(Float64Array.from([0, 1, 0, 1]), Float64Array.from([0.2, 0.3, 0.3, 0.9])), 0.875);
    assert.ok(Number.isNaN(rocAuc(Float64Array.from([1, 1]), Float64Array.from([0.2, 0.3]))));
  });
});

describe('params, CSV and flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'churn-unit-'));
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('MLOPS_PARAMS wins over mlops.yaml; nested and flat dotted keys both work; missing keys default', () => {
    const nested = join(dir, 'nested.json');
    writeFileSync(nested, JSON.stringify({ train: { learning_rate: 0.5, epochs: 10 } }));
    assert.deepEqual(loadTrainParams({ MLOPS_PARAMS: nested }, join(exampleDir, 'mlops.yaml')).params, {
      ...DEFAULT_PARAMS,
      learning_rate: 0.5,
      epochs: 10,
    });
    const flat = join(dir, 'flat.json');
    writeFileSync(flat, JSON.stringify({ 'train.l2': 0.2 }));
    assert.equal(loadTrainParams({ MLOPS_PARAMS: flat }).params.l2, 0.2);
    assert.deepEqual(loadTrainParams({}, join(dir, 'absent.yaml')).params, DEFAULT_PARAMS);
  });

  test('a param of the wrong type or an unreadable file is an error naming it', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ train: { epochs: 'many' } }));
    assert.throws(() => loadTrainParams({ MLOPS_PARAMS: bad }), /params\.train\.epochs must be an integer from 1 to 100000, got "many"/);
    assert.throws(() => loadTrainParams({ MLOPS_PARAMS: join(dir, 'nope.json') }), /nope\.json: cannot read the params JSON/);
  });

  test('CSV round trip and bad cells reported as file:line with the column', () => {
    const p = join(dir, 't.csv');
    writeCsv(p, ['a', 'b'], [
      [1, 2.5],
      [3, -4],
    ]);
    const t = readNumericCsv(p);
    assert.deepEqual([...t.values], [1, 2.5, 3, -4]);
    assert.equal(t.rows, 2);
    writeFileSync(p, 'a,b\n1,2\n3,x\n');
    assert.throws(() => readNumericCsv(p), /t\.csv:3: column "b": "x" is not a number/);
    writeFileSync(p, 'a,b\n1,2,3\n');
    assert.throws(() => readNumericCsv(p), /t\.csv:2: 3 values, the header has 2 columns/);
    assert.throws(() => readNumericCsv(join(dir, 'missing.csv')), /cannot read the data file \(ENOENT\)/);
  });

  test('flags: defaults, both spellings, unknown flags refused', () => {
    const known = { rows: '5', out: 'data' };
    assert.deepEqual(parseFlags(['--rows', '7', '--out=x'], known, 'usage'), { rows: '7', out: 'x' });
    assert.deepEqual(parseFlags([], known, 'usage'), known);
    assert.throws(() => parseFlags(['--rowz', '1'], known, 'usage'), /unknown argument "--rowz"/);
    assert.throws(() => parseFlags(['--rows'], known, 'usage'), /--rows needs a value/);
  });
});
