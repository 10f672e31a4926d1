import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMlopsYaml } from '../../../language-server/src/core/index';

test('a dataset path outside the project is underlined where it stands, as the daemon would refuse it', () => {
  const text = 'version: 1\nproject:\n  name: p\ndata:\n  d:\n    paths: [data/ok.csv, /home/ana/x.csv, ../up.csv]\n';
  const diags = validateMlopsYaml(text).map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.message]);
  assert.deepEqual(diags, [
    [5, 25, 40, 'data.d.paths[1]: expected a path relative to the project root, not an absolute or home path'],
    [5, 42, 51, 'data.d.paths[2]: expected a path inside the project (".." is not allowed)'],
  ]);
});
