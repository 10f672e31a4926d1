/** What git says about the project at run start: commit, branch, dirty flag and the dirty diff itself. */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type GitInfo as RecordedGit } from '../../../schemas/src/tracking';
import { type ObjectStore } from '../../../shared/src/objects';

export interface GitInfo extends RecordedGit {
  /** `git describe --tags --always --dirty`: the release tag the run is at, or near. */
  describe: string | null;
}

/** Untracked files are stored in the diff up to these sizes; larger ones are named with a note. */
export const UNTRACKED_FILE_LIMIT = 1 << 20;
export const UNTRACKED_TOTAL_LIMIT = 8 << 20;

function git(root: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', root, ...args], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (err, stdout) => {
      resolve(err ? null : stdout.toString('utf8'));
    });
  });
}

/**
 * A patch creating one untracked file (`git diff --no-index` exits 1 when there is a difference,
 * which here is the point), so `git apply` of the stored diff brings the file back.
 */
function untrackedPatch(root: string, path: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', root, 'diff', '--no-index', '--binary', '--', '/dev/null', path], { maxBuffer: 64 << 20, encoding: 'buffer' }, (err, stdout) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve(err && code !== 1 ? null : stdout.toString('utf8'));
    });
  });
}

/** Untracked files' content as patches (bounded), with a note for each file left out and why. */
async function untrackedSection(root: string, status: string): Promise<string> {
  const paths = status
    .split('\n')
    .filter((l) => l.startsWith('?? '))
    .map((l) => l.slice(3).replace(/^"(.*)"$/, '$1'));
  const notes: string[] = [];
  const patches: string[] = [];
  let total = 0;
  for (const p of paths) {
    const size = statSync(join(root, p), { throwIfNoEntry: false })?.size ?? 0;
    if (size > UNTRACKED_FILE_LIMIT || total + size > UNTRACKED_TOTAL_LIMIT) {
      const why = size > UNTRACKED_FILE_LIMIT ? `larger than ${UNTRACKED_FILE_LIMIT} bytes` : `over the ${UNTRACKED_TOTAL_LIMIT}-byte total`;
      notes.push(`# untracked, content not stored (${size} bytes, ${why}): ${p}`);
      continue;
    }
    const patch = await untrackedPatch(root, p);
    if (patch === null) notes.push(`# untracked, content not stored (git could not read it): ${p}`);
    else {
      notes.push(`# untracked, content stored: ${p}`);
      patches.push(patch);
      total += size;
    }
  }
  return `${notes.join('\n')}${notes.length ? '\n' : ''}${patches.join('')}`;
}

/** Never fails: outside a repository, or without git, every field is empty. */
export async function collectGitInfo(root: string, objects: ObjectStore): Promise<GitInfo> {
  const [commit, branch, status] = await Promise.all([
    git(root, ['rev-parse', 'HEAD']),
    git(root, ['rev-parse', '--abbrev-ref', 'HEAD']),
    git(root, ['status', '--porcelain', '--untracked-files=all']),
  ]);
  if (status === null) return { commit: null, branch: null, dirty: false, diff_sha256: null, describe: null };
  const describe = commit ? await git(root, ['describe', '--tags', '--always', '--dirty']) : null;
  const dirty = status.trim().length > 0;
  let diffSha: string | null = null;
  if (dirty) {
    const diff = commit ? await git(root, ['diff', 'HEAD', '--binary']) : '';
    const text = `${await untrackedSection(root, status)}${diff ?? ''}`;
    diffSha = (await objects.putBytes(Buffer.from(text, 'utf8'))).sha256;
  }
  return {
    commit: commit?.trim() || null,
    branch: branch?.trim() || null,
    dirty,
    diff_sha256: diffSha,
    describe: describe?.trim() || null,
  };
}
