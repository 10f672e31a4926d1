/**
 * One serving process as the daemon sees it: forked with an IPC channel, its messages validated,
 * its stderr appended to `.mlops/serving/<deployment>.log` with the last lines kept for error reports.
 * session.run is native code that blocks its event loop, which is why serving never runs in the daemon.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { type Readable } from 'node:stream';
import { join } from 'node:path';
import {
  fromServingMessage,
  type FromServingMessage,
  type ServingBoot,
  type ServingModelSpec,
  type ToServingMessage,
} from '../../../schemas/src/serving';
import { StreamDecoder } from '../../../schemas/src/monitoring-wire';
import { servingEntryBeside } from '../../../shared/src/gates/endpoint';
import { RotatingLog } from './log-file';

export interface ChildHandlers {
  message(msg: FromServingMessage): void;
  exit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): void;
}

const TAIL_BYTES = 4096;

/**
 * How a serving process is forked: stdout and stderr to its log, the IPC channel (fd 3) for control
 * messages, and fd 4 for monitoring's reports, which its monitoring thread writes (JSON lines, log chunks as bytes)
 * (daemon/src/monitoring/recorder/recorder-worker.ts): so they never cost the serving loop.
 */
export const SERVING_STDIO: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'] = ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'];
/** The child's fd of the monitoring stream (SERVING_STDIO). */
export const MONITORING_FD = 4;

/**
 * Reads the monitoring stream (fd 4 of the child): JSON lines and log chunks as bytes
 * (StreamDecoder), each message checked against the schema as IPC messages are; what is not one is
 * reported through `bad` and skipped.
 */
export function readMonitoringStream(stream: NodeJS.ReadableStream, each: (msg: FromServingMessage) => void, bad: (why: string) => void = () => undefined): void {
  const decoder = new StreamDecoder((raw) => {
    const parsed = fromServingMessage.safeParse(raw);
    if (parsed.success) each(parsed.data);
    else bad(`a malformed message: ${parsed.error.issues[0]?.message ?? ''}`);
  }, bad);
  stream.on('data', (chunk: Buffer) => decoder.push(chunk));
}

/** The serving entry beside this bundle (dist/serving.js); the gates' temporary endpoints use the same rule. */
export function servingScript(): string {
  return servingEntryBeside(__dirname);
}

export class ServingChild {
  private readonly proc: ChildProcess;
  private readonly logStream: RotatingLog;
  private tail = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(boot: ServingBoot, logDir: string, handlers: ChildHandlers) {
    mkdirSync(logDir, { recursive: true });
    this.logStream = new RotatingLog(join(logDir, `${boot.deployment}.log`));
    // JSON, not V8 serialisation: for monitoring's text and base64 both measured the same (schemas/src/monitoring-wire.ts).
    this.proc = fork(servingScript(), [], { stdio: SERVING_STDIO, execArgv: [], serialization: 'json' });
    const onOutput = (c: Buffer): void => {
      this.logStream.write(c);
      this.tail = (this.tail + c.toString('utf8')).slice(-TAIL_BYTES);
    };
    this.proc.stdout?.on('data', onOutput);
    this.proc.stderr?.on('data', onOutput);
    this.proc.on('message', (raw: unknown) => {
      const parsed = fromServingMessage.safeParse(raw);
      if (parsed.success) handlers.message(parsed.data);
    });
    const monitoring = this.proc.stdio[MONITORING_FD] as Readable | null | undefined;
    if (monitoring) readMonitoringStream(monitoring, (m) => handlers.message(m), (why) => onOutput(Buffer.from(`${new Date().toISOString()} daemon: monitoring stream: ${why}\n`)));
    this.exitPromise = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exited = true;
        this.logStream.end();
        handlers.exit(code, signal, this.tail);
        resolve();
      });
    });
    this.proc.on('error', () => undefined);
    // Its monitoring thread writes to fd 4, which this fork opened.
    this.send({ type: 'boot', boot: boot.monitoring ? { ...boot, monitoring: { ...boot.monitoring, stream_fd: MONITORING_FD } } : boot });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  load(model: ServingModelSpec): void {
    this.send({ type: 'load', model });
  }

  /** Sends a message to the process (monitoring answers feedback through this); false when it has gone. */
  tell(msg: ToServingMessage): boolean {
    return this.send(msg);
  }

  private send(msg: ToServingMessage): boolean {
    if (this.exited || !this.proc.connected) return false;
    this.proc.send(msg);
    return true;
  }

  /** Asks for a graceful shutdown (in-flight requests finish), then kills after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** The last lines the process wrote, for error messages. */
  lastLines(n = 5): string {
    return this.tail.trim().split('\n').slice(-n).join('\n');
  }
}
