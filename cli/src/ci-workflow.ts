/**
 * The CI workflow `mlops ci init` writes: install the project and the Workbench CLI, run the
 * pipeline, check the model's gates against the committed Production model, upload the JUnit
 * report and put the check table in the job summary. Comments say what the project must provide,
 * because a fresh runner has no `.mlops/` store: the gates compare files from the repository.
 */
import { type MlopsConfig } from '../../schemas/src/mlops-yaml';

export type CiProvider = 'github' | 'gitlab';

export interface WorkflowOptions {
  model: string;
  /** The committed Production model, relative to the project root. */
  production: string;
  cfg: MlopsConfig;
}

export const WORKFLOW_FILES: Record<CiProvider, string> = { github: '.github/workflows/mlops.yml', gitlab: '.gitlab-ci.yml' };

const REPORT = 'reports/mlops-check.xml';

/** The shell lines both providers run, in order; the test runs them in a clean clone. */
export function ciCommands(o: WorkflowOptions): { install: string; run: string; check: (summary: string) => string } {
  const gates = o.cfg.models[o.model]?.gates ?? {};
  // A runner never has shadow traffic: that gate is decided where the deployment runs.
  const skip = gates.shadow ? ' --skip shadow' : '';
  return {
    install: 'if [ -f requirements.txt ]; then python3 -m pip install -r requirements.txt; fi\nif [ -f package.json ]; then npm ci; fi',
    run: 'mlops run',
    check: (summary) => `mlops check ${o.model} --production ${o.production}${skip} --junit ${REPORT}${summary ? ` --markdown "${summary}"` : ''}`,
  };
}

function needs(o: WorkflowOptions): string[] {
  const g = o.cfg.models[o.model]?.gates ?? {};
  const lines = [`#   - ${o.production}: the current Production model of "${o.model}", committed (\`mlops models download ${o.model} --out ${o.production}\`);`];
  lines.push('#     the gates compare the candidate with it. Without it they fall back to `min` (holdout) and `p95_ms` (latency).');
  if (g.holdout) {
    const name = g.holdout.dataset.split('@')[0] as string;
    const paths = o.cfg.data[name]?.paths.join(', ') ?? '(declare it under data)';
    lines.push(`#   - the holdout sample of data.${name} (${paths}), committed, with the label column "${g.holdout.label}";`);
    if (g.holdout.dataset.includes('@')) lines.push(`#     "${g.holdout.dataset}" names a stored version: on a runner name the dataset without "@…" so its files are read.`);
  }
  if (g.canonical) lines.push(`#   - ${g.canonical.file}: the canonical examples, committed;`);
  lines.push('#   - a pipeline in mlops.yaml whose register stage writes the candidate (its `artifact`), or pass --candidate FILE to mlops check.');
  return lines;
}

export function githubWorkflow(o: WorkflowOptions): string {
  const c = ciCommands(o);
  const indent = (s: string, n: number): string => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
  return `# Written by \`mlops ci init\` (MLOps Workbench): trains with \`mlops run\`, then \`mlops check\` runs the
# gates of models.${o.model}.gates in mlops.yaml against the Production model; a failed gate fails the job.
#
# A fresh runner has no .mlops/ store, so the project must commit what the gates read:
${needs(o).join('\n')}
name: mlops

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  gates:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    env:
      # Where the Workbench CLI comes from: an npm package name, a git URL or a tarball.
      MLOPS_WORKBENCH: mlops-workbench
      # onnxruntime-node's postinstall only fetches GPU providers; the CPU runtime ships in the package.
      ONNXRUNTIME_NODE_INSTALL: skip
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - name: Install the MLOps Workbench CLI
        run: npm install -g "$MLOPS_WORKBENCH"
      - name: Install the project
        run: |
${indent(c.install, 10)}
      - name: Run the pipeline (mlops run)
        run: ${c.run}
      - name: Check the gates (mlops check)
        run: ${c.check('$GITHUB_STEP_SUMMARY')}
      - name: Upload the gate report (JUnit)
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: mlops-check
          path: ${REPORT}
      - name: Stop the Workbench daemon
        if: always()
        run: mlops daemon stop
`;
}

export function gitlabWorkflow(o: WorkflowOptions): string {
  const c = ciCommands(o);
  const item = (s: string): string => s.split('\n').map((l) => `    - ${l}`).join('\n');
  return `# Written by \`mlops ci init --provider gitlab\` (MLOps Workbench): trains with \`mlops run\`, then
# \`mlops check\` runs the gates of models.${o.model}.gates against the Production model.
#
# A fresh runner has no .mlops/ store, so the project must commit what the gates read:
${needs(o).join('\n')}
mlops-gates:
  image: node:20
  variables:
    MLOPS_WORKBENCH: mlops-workbench
    ONNXRUNTIME_NODE_INSTALL: skip
  script:
    - npm install -g "$MLOPS_WORKBENCH"
${item(c.install)}
    - ${c.run}
    - ${c.check('')}
  after_script:
    - mlops daemon stop || true
  artifacts:
    when: always
    reports:
      junit: ${REPORT}
`;
}
