/**
 * Large request bodies are parsed and validated on a worker thread (body-worker.ts), small ones in
 * line. JSON.parse and zod are synchronous: on the event loop a 20 MB metric batch stalled every
 * other request for seconds. The worker is started on first use and kept (unref'd, so it never
 * holds the daemon open); jobs queue in its message port. The validated value comes back with its
 * long arrays packed in transferred typed arrays (pack.ts): a plain structured clone of a million
 * points cost the event loop seconds, as much as parsing did.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as z from 'zod';
import { type ErrorCode, type ErrorIssue } from '../../../schemas/src/errors';
import { DomainError } from '../util/errors';
import { parseJson, parsePart } from './parse';
import { unpack, type Packed } from './pack';

/** Bodies from this size on go to the worker; below it the hop costs more than it saves. */
export const OFF_THREAD_BYTES = 256 * 1024;

export interface BodyJob {
  id: number;
  endpoint: string;
  bytes: Uint8Array;
}
export type BodyResult =
  | { id: number; ok: true; packed: Packed }
  | { id: number; ok: false; error: { status: number; code: ErrorCode; message: string; issues?: ErrorIssue[] } };

export const endpointKey = (method: string, fullPath: string): string => `${method} ${fullPath}`;

export function bodyWorkerScript(): string {
  return process.env['MLOPS_BODY_WORKER_JS'] ?? join(__dirname, 'body-worker.js');
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class BodyParser {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** `script` is the bundled worker; without it (running from sources) every body is parsed in line. */
  constructor(private readonly script = bodyWorkerScript()) {}

  get offThread(): boolean {
    return existsSync(this.script);
  }

  /** The body's JSON validated against `schema` (a DomainError naming the field otherwise). */
  async parse(endpoint: string, schema: z.ZodType, raw: Buffer): Promise<unknown> {
    if (raw.length < OFF_THREAD_BYTES || !this.offThread) return parsePart('body', schema, parseJson(raw));
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // A Buffer that owns its whole ArrayBuffer moves to the worker without a copy.
    const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength;
    const bytes = own ? raw : Uint8Array.prototype.slice.call(raw);
    const job: BodyJob = { id, endpoint, bytes };
    this.start().postMessage(job, [bytes.buffer as ArrayBuffer]);
    return done;
  }

  close(): Promise<number> | undefined {
    const w = this.worker;
    this.worker = undefined;
    return w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script);
    w.unref();
    w.on('message', (r: BodyResult) => this.settle(r));
    // A crashed worker fails what it held; the next large body starts a new one.
    const fail = (err: Error): void => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the body parser thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private settle(r: BodyResult): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.ok) unpack(r.packed).then(p.resolve, p.reject);
    else p.reject(new DomainError(r.error.status, r.error.code, r.error.message, r.error.issues));
  }
}
