/** What git says about the project at run start: commit, branch, dirty flag and the dirty diff itself. */
import { execFile } from 'node:child_process';
import { type GitInfo } from '../../../schemas/src/tracking';
import { type ObjectStore } from '../store/objects';

function git(root: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', root, ...args], { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (err, stdout) => {
      resolve(err ? null : stdout.toString('utf8'));
    });
  });
}

/** Never fails: outside a repository, or without git, every field is empty. */
export async function collectGitInfo(root: string, objects: ObjectStore): Promise<GitInfo> {
  const [commit, branch, status] = await Promise.all([
    git(root, ['rev-parse', 'HEAD']),
    git(root, ['rev-parse', '--abbrev-ref', 'HEAD']),
    git(root, ['status', '--porcelain']),
  ]);
  if (status === null) return { commit: null, branch: null, dirty: false, diff_sha256: null };
  const dirty = status.trim().length > 0;
  let diffSha: string | null = null;
  if (dirty) {
    const diff = commit ? await git(root, ['diff', 'HEAD', '--binary']) : '';
    const untracked = status
      .split('\n')
      .filter((l) => l.startsWith('?? '))
      .map((l) => `# untracked: ${l.slice(3)}`);
    const text = `${untracked.join('\n')}${untracked.length ? '\n' : ''}${diff ?? ''}`;
    diffSha = (await objects.putBytes(Buffer.from(text, 'utf8'))).sha256;
  }
  return {
    commit: commit?.trim() || null,
    branch: branch?.trim() || null,
    dirty,
    diff_sha256: diffSha,
  };
}
