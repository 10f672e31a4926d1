/**
 * The demo's notebook step (called by scripts/demo.ts): where a Python with scikit-learn, pandas,
 * matplotlib, nbclient and ipykernel is found, converts examples/notebook/churn-notebook.ipynb into
 * pipeline stages in a small project beside the demo's, verifies the conversion by running both, and
 * runs the pipeline; otherwise says what to install to see this step.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NEEDED = ['sklearn', 'pandas', 'matplotlib', 'nbclient', 'ipykernel'];

/** The first interpreter that has every package the step needs. */
function findPython(): string | undefined {
  const candidates = [process.env['MLOPS_PYTHON'], '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  return candidates.find((py) => spawnSync(py, ['-c', `import ${NEEDED.join(', ')}`], { stdio: 'ignore', timeout: 60_000 }).status === 0);
}

export interface NotebookDemo {
  repo: string;
  /** The demo project (its data/train.csv is the notebook's input). */
  dir: string;
  mlops(cwd: string, ...args: string[]): string;
  git(dir: string, ...args: string[]): void;
}

export function notebookStep(d: NotebookDemo): void {
  const python = findPython();
  if (!python) {
    console.log(
      'Skipped: no Python with scikit-learn, pandas, matplotlib, nbclient and ipykernel was found (tried $MLOPS_PYTHON, /usr/bin/python3, python3).\n' +
        'To see this step install them, e.g. `apt-get install python3-sklearn python3-pandas python3-matplotlib python3-nbclient python3-ipykernel`\n' +
        'or `python3 -m pip install scikit-learn pandas matplotlib nbclient ipykernel`, then run `npm start` again.',
    );
    return;
  }
  const sub = join(d.dir, 'notebook');
  mkdirSync(join(sub, 'data'), { recursive: true });
  copyFileSync(join(d.repo, 'examples', 'notebook', 'churn-notebook.ipynb'), join(sub, 'churn-notebook.ipynb'));
  copyFileSync(join(d.dir, 'data', 'train.csv'), join(sub, 'data', 'train.csv'));
  writeFileSync(join(sub, 'mlops.yaml'), `version: 1\nproject:\n  name: churn-notebook\npython:\n  interpreter: ${python}\n`);
  console.log(`# a notebook project in ${sub}, with ${python}`);
  try {
    d.mlops(sub, 'convert', 'churn-notebook.ipynb', '--verify');
    d.mlops(sub, 'run');
    // The scripts, mlops.yaml and mlops.lock are source; values, figures and bytecode are run outputs.
    appendFileSync(join(d.dir, '.gitignore'), 'notebook/pipeline/values/\nnotebook/pipeline/figures/\n__pycache__/\n');
    d.git(d.dir, 'add', '-A', '.gitignore', 'notebook');
    d.git(d.dir, 'commit', '-qm', 'notebook converted to pipeline stages');
  } finally {
    spawnSync(process.execPath, [join(d.repo, 'dist', 'cli.js'), 'daemon', 'stop'], { cwd: sub, stdio: 'ignore' });
  }
}
