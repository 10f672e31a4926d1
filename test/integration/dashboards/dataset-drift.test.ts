/**
 * The drift dashboard of dataset versions against a real daemon: the churn demo's data (50,000 rows,
 * 21 columns) snapshotted, then a drifted version, compared through the declared endpoint.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateChurn } from '../../../examples/churn/lib/churn-data';
import * as endpoints from '../../../schemas/src/endpoints';
import { ApiError } from '../../../client/src/client';
import { startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers/index';

let p: TempProject;
let d: RunningDaemon;
const ROWS = 50_000;
const header: string[] = [];

function writeCsv(file: string, rows: (number | string)[][]): void {
  writeFileSync(file, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
}

before(async () => {
  p = tempProject({ config: readFileSync(join(__dirname, '..', '..', '..', 'examples', 'churn', 'mlops.yaml'), 'utf8'), prefix: 'mlops-dash-' });
  mkdirSync(join(p.root, 'data'));
  const data = generateChurn(ROWS, 42, 0.2);
  header.push(...data.header);
  writeCsv(join(p.root, 'data', 'train.csv'), data.train);
  writeCsv(join(p.root, 'data', 'holdout.csv'), data.holdout);
  d = await startDaemon(p.root);
  await d.client.snapshot('train', 'test');
  await d.client.snapshot('holdout', 'test');
  // v2 of train: tenure shifted up, every contract month-to-month, 100 ages out of range, 50 empty charges.
  const col = (name: string): number => data.header.indexOf(name);
  const drifted = data.train.map((r, i) => {
    const row: (number | string)[] = [...r];
    row[col('tenure_months')] = Math.min(72, (row[col('tenure_months')] as number) + 20);
    row[col('contract_type')] = 0;
    if (i < 100) row[col('age')] = 120;
    if (i >= 100 && i < 150) row[col('monthly_charges')] = '';
    return row;
  });
  writeCsv(join(p.root, 'data', 'train.csv'), drifted);
  await d.client.snapshot('train', 'test');
});

after(async () => {
  await d?.stop();
  await p?.cleanup();
});

const drift = (name: string, query: { version?: number; reference?: string; bins?: number } = {}) =>
  d.client.request(endpoints.datasetDrift, { params: { name }, query }).then((r) => r.dashboard);

test('holdout against its declared reference (train, latest unless named): a verdict, one row and one distribution per feature', async () => {
  const dash = await drift('holdout', { reference: 'train@1' });
  assert.deepEqual(dash.subject, { kind: 'dataset', dataset: 'holdout', version: 1, reference: { dataset: 'train', version: 1 } });
  assert.equal(dash.features.length, header.length);
  assert.equal(dash.distributions.length, header.length);
  assert.equal(dash.verdict.drifted, false, 'a random holdout does not drift');
  assert.equal(dash.verdict.tested_features, header.length);
  assert.equal(dash.reference_rows + dash.current_rows, ROWS);
  const tenure = dash.distributions.find((x) => x.feature === 'tenure_months');
  assert.ok(tenure?.kind === 'histogram');
  assert.equal(tenure.edges.length, 21, '20 bins by default');
  assert.equal(tenure.reference.reduce((s, x) => s + x, 0), dash.reference_rows);
  assert.equal(tenure.current.reduce((s, x) => s + x, 0), dash.current_rows);
  const contract = dash.distributions.find((x) => x.feature === 'contract_type');
  assert.ok(contract?.kind === 'bars');
  assert.deepEqual(contract.categories, ['0', '1', '2']);
  assert.ok(dash.references.includes('train@2') && dash.references.includes('holdout@1'));
  // Aggregates only: 40,000 + 10,000 rows answer in a few kilobytes.
  assert.ok(JSON.stringify(dash).length < 64_000, `${JSON.stringify(dash).length} bytes`);
});

test('a drifted version against the one before: the drifted features, missing and out-of-range counts, the verdict', async () => {
  const dash = await drift('train', { bins: 10 });
  assert.deepEqual(dash.subject, { kind: 'dataset', dataset: 'train', version: 2, reference: { dataset: 'train', version: 1 } });
  const row = (f: string) => dash.features.find((x) => x.feature === f);
  assert.equal(row('tenure_months')?.drifted, true);
  assert.equal(row('contract_type')?.drifted, true);
  assert.equal(row('tenure_months')?.test, 'ks');
  assert.match(row('contract_type')?.reason ?? '', /auto/);
  assert.equal(row('payment_method')?.drifted, false);
  assert.equal(row('age')?.out_of_range, 100, 'age declared [18, 85] in the signature');
  assert.equal(row('monthly_charges')?.missing, 50);
  assert.equal(row('total_charges')?.out_of_range, null, 'nothing declared');
  assert.equal(row('contract_type')?.out_of_range, 0);
  assert.equal(dash.verdict.drifted_features, dash.features.filter((f) => f.drifted).length);
  assert.equal(dash.verdict.correction, 'none');
  const tenure = dash.distributions.find((x) => x.feature === 'tenure_months');
  assert.ok(tenure?.kind === 'histogram' && tenure.edges.length === 11);
  const contract = dash.distributions.find((x) => x.feature === 'contract_type');
  assert.ok(contract?.kind === 'bars');
  assert.deepEqual(contract.current, [dash.current_rows, 0, 0]);
});

test('bad input is named: the first version with no reference, an unknown dataset, a malformed reference', async () => {
  await assert.rejects(drift('train', { version: 1 }), (e: unknown) => e instanceof ApiError && e.status === 404 && /first version.*pick a reference/.test(e.message));
  await assert.rejects(drift('nope'), (e: unknown) => e instanceof ApiError && e.status === 404 && /dataset "nope"/.test(e.message));
  await assert.rejects(drift('train', { reference: 'train@0' }), (e: unknown) => e instanceof Error && /reference.*name@version/.test(e.message));
  await assert.rejects(drift('train', { version: 9 }), (e: unknown) => e instanceof ApiError && e.status === 404 && /version 9 of dataset "train"/.test(e.message));
});
