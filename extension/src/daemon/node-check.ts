/**
 * The daemon's native modules (better-sqlite3, onnxruntime-node) are compiled for one Node ABI, so
 * the daemon must run on that Node major, which may differ from the extension host's own runtime.
 * This checks the configured executable before anything is spawned, with a message that says what to do.
 */
import { execFile } from 'node:child_process';

export type NodeCheck = { ok: true; version: string } | { ok: false; message: string };

export function parseNodeMajor(versionText: string): number | undefined {
  const m = /^v?(\d+)\.\d+\.\d+/.exec(versionText.trim());
  return m ? Number(m[1]) : undefined;
}

/** Judges `node --version` output (or the spawn error) against the required major. */
export function judgeNode(nodePath: string, required: number, result: { stdout?: string; error?: { code?: string | number | null; message: string } }): NodeCheck {
  const fix = `Install Node ${required} or set "mlops.daemon.nodePath" to a Node ${required} executable.`;
  if (result.error) {
    const why = result.error.code === 'ENOENT' ? 'was not found' : `could not be run (${result.error.message})`;
    return { ok: false, message: `The MLOps daemon needs Node ${required}, but "${nodePath}" ${why}. ${fix}` };
  }
  const text = (result.stdout ?? '').trim();
  const major = parseNodeMajor(text);
  if (major === undefined) {
    return { ok: false, message: `The MLOps daemon needs Node ${required}, but "${nodePath} --version" printed "${text.slice(0, 80)}". ${fix}` };
  }
  if (major !== required) {
    return {
      ok: false,
      message: `The MLOps daemon needs Node ${required} (its native modules are built for it), but "${nodePath}" is ${text}. ${fix}`,
    };
  }
  return { ok: true, version: text };
}

export function checkNode(nodePath: string, required: number, timeoutMs = 10_000): Promise<NodeCheck> {
  return new Promise((resolve) => {
    execFile(nodePath, ['--version'], { timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout) => {
      resolve(judgeNode(nodePath, required, { stdout, error: error ?? undefined }));
    });
  });
}
