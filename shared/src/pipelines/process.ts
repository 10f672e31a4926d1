/**
 * One stage command as a child process: through the shell, from the project root, its output
 * streamed line by line to stderr with a `[stage]` prefix and kept whole in the stage's log.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StageProcess {
  cmd: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  prefix: string;
  logFile: string;
  /** Where prefixed lines go (the CLI's stderr). */
  echo(text: string): void;
}

/** Splits a stream into lines, holding a partial line until it ends. */
function liner(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(onLine);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/** Runs the command; resolves with its exit code (128 + n for a signal, 127 when it cannot start). */
export function runStageProcess(p: StageProcess): Promise<number> {
  mkdirSync(dirname(p.logFile), { recursive: true });
  const log = createWriteStream(p.logFile);
  log.write(`$ ${p.cmd}\n`);
  return new Promise((done) => {
    const child = spawn('/bin/sh', ['-c', p.cmd], { cwd: p.cwd, env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line: string): void => {
      log.write(`${line}\n`);
      p.echo(`${p.prefix} ${line}\n`);
    };
    const out = liner(onLine);
    const err = liner(onLine);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const finish = (code: number, note: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      out.end();
      err.end();
      log.end(`${note}\n`, () => done(code));
    };
    child.on('error', (e) => finish(127, `# could not start: ${e.message}`));
    child.on('close', (code, signal) => {
      const c = code ?? 128 + (signal ? (signalNumber[signal] ?? 15) : 15);
      finish(c, `# exit code ${c}${signal ? ` (${signal})` : ''}`);
    });
  });
}

const signalNumber: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
