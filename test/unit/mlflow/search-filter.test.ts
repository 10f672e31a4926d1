/** MLflow's run search grammar: parsing, refusals with a located message, and SQL over a real store. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileFilter,
  compileOrderBy,
  likeToGlob,
  parseFilter,
  parseOrderBy,
  SearchSyntaxError,
  type SqlMapping,
} from '../../../daemon/src/mlflow/search-filter';
import { openStore } from '../../../daemon/src/store/db';

describe('parseFilter', () => {
  test('clauses of every entity type, with aliases, quoting and case-insensitive keywords', () => {
    const c = parseFilter(
      "metrics.rmse < 0.5 and params.model = 'tree' AND tags.`mlflow.runName` LIKE \"%cv%\" and attributes.status = 'FINISHED' and metric.\"val loss\" >= -1e-3",
    );
    assert.deepEqual(c, [
      { type: 'metric', key: 'rmse', comparator: '<', value: 0.5 },
      { type: 'param', key: 'model', comparator: '=', value: 'tree' },
      { type: 'tag', key: 'mlflow.runName', comparator: 'LIKE', value: '%cv%' },
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      { type: 'metric', key: 'val loss', comparator: '>=', value: -0.001 },
    ]);
  });

  test('IN lists, IS NULL, bare attributes and time attributes', () => {
    assert.deepEqual(parseFilter("attributes.run_id IN ('a', 'b') and params.lr IS NOT NULL and run_name != 'x' and start_time > 1700000000000"), [
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { type: 'param', key: 'lr', comparator: 'IS NOT NULL', value: null },
      { type: 'attribute', key: 'run_name', comparator: '!=', value: 'x' },
      { type: 'attribute', key: 'start_time', comparator: '>', value: 1700000000000 },
    ]);
    assert.deepEqual(parseFilter('  '), []);
    assert.deepEqual(parseFilter(undefined), []);
  });

  const refusals: [string, RegExp][] = [
    ["metrics.rmse = 'a'", /numeric value for metric 'rmse'/],
    ['params.lr > 1', /Invalid comparator '>' for string param 'lr'/],
    ["params.lr = 'a' or params.lr = 'b'", /OR is not supported/],
    ["foo.bar = 'x'", /Invalid entity type 'foo'/],
    ["attributes.colour = 'x'", /Invalid attribute key 'colour'/],
    ["params.lr = 'a", /unterminated quote at character 13/],
    ['metrics.rmse <', /expected a value at the end/],
    ["params.a = 'x' params.b = 'y'", /expected 'AND' or the end at character 16, found 'params.b'/],
    ["metrics.rmse IN ('a')", /only supported for string attributes/],
    ['metrics.rmse IS NULL', /only supported for params and tags/],
    ["params.a = b", /quoted string value/],
  ];
  for (const [filter, message] of refusals) {
    test(`refuses ${filter}`, () => assert.throws(() => parseFilter(filter), (e: unknown) => e instanceof SearchSyntaxError && message.test(e.message)));
  }
});

describe('parseOrderBy', () => {
  test('directions and identifiers', () => {
    assert.deepEqual(parseOrderBy(['metrics.rmse DESC', 'params.`a b`', 'attributes.start_time asc']), [
      { type: 'metric', key: 'rmse', ascending: false },
      { type: 'param', key: 'a b', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: true },
    ]);
    assert.throws(() => parseOrderBy(['metrics.rmse sideways']), /expected ASC or DESC/);
  });
});

test('likeToGlob keeps GLOB metacharacters literal and maps % and _', () => {
  assert.equal(likeToGlob('a%b_c*?[d]'), 'a*b?c[*][?][[]d[]]');
});

describe('compiled SQL over a real store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-mlflow-filter-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore(join(dir, 's.db'));
  db.prepare("INSERT INTO experiments (id, name, created_at) VALUES (1, 'e', '2026-01-01T00:00:00.000Z')").run();
  const run = db.prepare(`INSERT INTO runs (id, seq, experiment_id, name, status, start_time, command, environment)
    VALUES (?, ?, 1, ?, ?, ?, '[]', '{}')`);
  const param = db.prepare('INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
  const metric = db.prepare('INSERT INTO run_metric_summary (run_id, key, last, step, min, max, count) VALUES (?, ?, ?, 0, ?, ?, 1)');
  const rows: [string, string, string, number | null, string | null, string][] = [
    ['r1', 'alpha', 'finished', 0.3, 'tree', 'CV-fold'],
    ['r2', 'beta', 'finished', 0.7, 'linear', 'cv-fold'],
    ['r3', 'gamma', 'failed', null, 'tree', 'holdout'],
    ['r4', 'delta', 'running', 0.1, null, '50%_off'],
  ];
  rows.forEach(([id, name, status, rmse, model, note], i) => {
    run.run(id, i + 1, name, status, `2026-01-0${i + 1}T00:00:00.000Z`);
    if (rmse !== null) metric.run(id, 'rmse', rmse, rmse, rmse);
    if (model !== null) param.run(id, 'model', JSON.stringify(model)); // stored as JSON, as the native API does
    tag.run(id, 'note', note);
  });
  const map: SqlMapping = {
    attribute: (k) =>
      ({ run_id: 'r.id', run_name: 'r.name', status: 'upper(r.status)', start_time: "CAST((julianday(r.start_time) - 2440587.5) * 86400000 AS INTEGER)" })[k] ?? 'NULL',
  };
  const search = (filter: string, order: string[] = []): string[] => {
    const f = compileFilter(parseFilter(filter), map);
    const o = compileOrderBy(parseOrderBy(order), map);
    return (db.prepare(`SELECT r.id FROM runs r${f.joins}${o.joins} WHERE ${f.sql} ORDER BY ${o.sql}`).all(...f.joinArgs, ...o.joinArgs, ...f.args, ...o.args) as { id: string }[]).map((r) => r.id);
  };

  test('metric comparisons skip runs without the metric', () => assert.deepEqual(search('metrics.rmse < 0.5'), ['r4', 'r1']));
  test('params and != only match runs that have the key', () => assert.deepEqual(search("params.model != 'tree'"), ['r2']));
  test('LIKE is case-sensitive, ILIKE is not, and % _ are wildcards but * is literal', () => {
    assert.deepEqual(search("tags.note LIKE 'cv%'"), ['r2']);
    assert.deepEqual(search("tags.note ILIKE 'cv%'"), ['r2', 'r1']);
    assert.deepEqual(search("tags.note LIKE '50\\%%'"), []);
    assert.deepEqual(search("tags.note LIKE '5_%'"), ['r4']);
  });
  test('attributes, IN lists and IS NULL', () => {
    assert.deepEqual(search("attributes.status = 'FINISHED'"), ['r2', 'r1']);
    assert.deepEqual(search("run_id IN ('r1', 'r3')"), ['r3', 'r1']);
    assert.deepEqual(search('params.model IS NULL'), ['r4']);
    assert.deepEqual(search('start_time >= 1767312000000'), ['r4', 'r3', 'r2']);
  });
  test('order by a metric puts runs without it last in both directions', () => {
    assert.deepEqual(search('', ['metrics.rmse ASC']), ['r4', 'r1', 'r2', 'r3']);
    assert.deepEqual(search('', ['metrics.rmse DESC']), ['r2', 'r1', 'r4', 'r3']);
    assert.deepEqual(search("tags.note != 'x'", ['params.model DESC', 'attributes.run_name']), ['r1', 'r3', 'r2', 'r4']);
  });
});
