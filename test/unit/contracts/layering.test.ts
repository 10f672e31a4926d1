/**
 * The lint rules that keep the direction of dependencies (eslint.config.mjs): an import against the
 * direction fails lint, one along it passes. ESLint lints the text as if it sat at the given path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, from: string): Promise<string[]> {
  const text = `import { x } from '${from}';\nexport const y = x;\n`;
  const [result] = await eslint.lintText(text, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: [string, string][] = [
  ['daemon/src/probe.ts', '../../client/src/client'],
  ['daemon/src/registry/probe.ts', '../../../cli/src/context'],
  ['schemas/src/probe.ts', '../../daemon/src/app'],
  ['schemas/src/endpoints/probe.ts', '../../../shared/src/paths'],
  ['client/src/probe.ts', '../../daemon/src/store/db'],
  ['client/src/probe.ts', '../../cli/src/main'],
  ['shared/src/probe.ts', '../../client/src/client'],
  ['language-server/src/core/probe.ts', '../../../daemon/src/app'],
  ['language-server/src/probe.ts', '../../client/src/client'],
  ['cli/src/commands/probe.ts', '../../../daemon/src/app'],
  ['cli/src/commands/probe.ts', '../../../language-server/src/server'],
  ['cli/src/commands/probe.ts', '../../../language-server/src/notebooks'],
  ['cli/src/commands/probe.ts', '../../../language-server/src/core/text'],
  ['extension/src/probe.ts', '../../language-server/src/convert'],
  ['extension/src/probe.ts', '../../daemon/src/http/server'],
  ['extension/src/probe.ts', '../../language-server/src/server'],
];

const allowed: [string, string][] = [
  ['daemon/src/probe.ts', '../../schemas/src/api'],
  ['daemon/src/probe.ts', '../../shared/src/paths'],
  ['client/src/probe.ts', '../../schemas/src/endpoint'],
  ['cli/src/probe.ts', '../../client/src/client'],
  ['cli/src/commands/probe.ts', '../../../language-server/src/convert'],
  ['cli/src/commands/probe.ts', '../../../language-server/src/python/parser'],
  ['extension/src/probe.ts', '../../client/src/connect'],
  ['language-server/src/probe.ts', '../../shared/src/mlops-yaml'],
];

for (const [file, from] of forbidden) {
  test(`lint refuses ${from} in ${file}`, async () => {
    const messages = await restricted(file, from);
    assert.equal(messages.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(messages)}`);
    assert.match(messages[0] ?? '', /must not import/);
  });
}

for (const [file, from] of allowed) {
  test(`lint accepts ${from} in ${file}`, async () => {
    assert.deepEqual(await restricted(file, from), []);
  });
}
