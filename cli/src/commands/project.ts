/** `mlops init`: creates `.mlops/`, a starter `mlops.yaml` and the `.gitignore` entry. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type * as z from 'zod';
import { type initJson } from '../../../schemas/src/cli';
import { mlopsJsonSchema } from '../../../schemas/src/mlops-yaml';
import { statePaths } from '../../../shared/src/paths';
import { type CommandSpec } from '../framework';
import { printJson } from '../output';

export function starterConfig(projectName: string): string {
  return `# MLOps Workbench project. Schema: schemas/mlops.schema.json (hover any key in VS Code for its docs).
# yaml-language-server: $schema=./.mlops/mlops.schema.json
version: 1
project:
  name: ${projectName}

params:
  train:
    learning_rate: 0.1
    epochs: 200
    seed: 42

data: {}

models: {}

retention:
  keep_versions: 10
`;
}

function safeProjectName(dir: string): string {
  const name = basename(dir).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name || 'project';
}

export const projectCommands: CommandSpec[] = [
  {
    words: ['init'],
    summary: 'Set up an MLOps project here: .mlops/ state folder, starter mlops.yaml, .gitignore entry',
    positionals: [{ name: 'dir', required: false, description: 'project folder (default: current folder)' }],
    json: true,
    examples: ['mlops init', 'mlops init ./churn-project --json'],
    run: async (args, io) => {
      const root = resolve(io.cwd, typeof args.positionals['dir'] === 'string' ? args.positionals['dir'] : '.');
      const paths = statePaths(root);
      mkdirSync(paths.objects, { recursive: true });
      // A local copy of the JSON Schema, so editors without our extension (Red Hat YAML) validate
      // offline through the modeline of the starter config.
      writeFileSync(join(paths.dir, 'mlops.schema.json'), JSON.stringify(mlopsJsonSchema(), null, 2) + '\n');
      const created: string[] = [];
      const cfg = join(root, 'mlops.yaml');
      if (!existsSync(cfg)) {
        writeFileSync(cfg, starterConfig(safeProjectName(root)));
        created.push('mlops.yaml');
      }
      const gi = join(root, '.gitignore');
      const current = existsSync(gi) ? readFileSync(gi, 'utf8') : '';
      if (!/^\/?\.mlops\/?$/m.test(current)) {
        appendFileSync(gi, `${current && !current.endsWith('\n') ? '\n' : ''}.mlops/\n`);
        created.push('.gitignore entry');
      }
      if (args.json) printJson(io, { root, created } satisfies z.infer<typeof initJson>);
      else io.out(`Initialised MLOps project in ${root}${created.length ? ` (created ${created.join(', ')})` : ' (already set up)'}\n`);
    },
  },
];
