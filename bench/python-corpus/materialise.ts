/**
 * Writes the real-code corpus listed in corpus.json into a folder, from local git mirrors of the
 * public repositories (as the `fetch` tool leaves them: <mirrors>/<owner>+<name>/repo), checking
 * each file's sha256. The files themselves are never committed here: they belong to their authors.
 *
 *   npx tsx bench/python-corpus/materialise.ts /tmp/py-corpus [/work/.mirror]
 *   MLOPS_PY_CORPUS=/tmp/py-corpus npm run bench -- python
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusEntries, corpusFileName } from './corpus';

function main(): void {
  const [target, mirrors = '/work/.mirror'] = process.argv.slice(2);
  if (!target) {
    console.error('usage: npx tsx bench/python-corpus/materialise.ts <folder> [mirrors folder]');
    process.exit(2);
  }
  mkdirSync(target, { recursive: true });
  let written = 0;
  const missing: string[] = [];
  for (const e of corpusEntries()) {
    const gitDir = join(mirrors, e.repo.replace('/', '+'), 'repo');
    if (!existsSync(gitDir)) {
      missing.push(`${e.repo} (no mirror at ${gitDir}; fetch github:${e.repo} first)`);
      continue;
    }
    const bytes = execFileSync('git', ['--git-dir', gitDir, 'show', `${e.commit}:${e.path}`], { maxBuffer: 64 << 20 });
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== e.sha256) throw new Error(`${e.repo}@${e.commit}:${e.path}: sha256 ${sha} differs from corpus.json`);
    writeFileSync(join(target, corpusFileName(e)), bytes);
    written++;
  }
  console.log(`${written} files written to ${target}`);
  for (const m of [...new Set(missing)]) console.log(`skipped: ${m}`);
}

main();
