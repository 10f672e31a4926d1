/**
 * Worker thread entry (dist/body-worker.js): parses and validates large request bodies so the
 * daemon's event loop keeps answering meanwhile (a million-point metric batch is 20 MB of JSON and
 * seconds of zod under load). Bodies are found by endpoint key; see body-parser.ts for the protocol.
 */
import { parentPort } from 'node:worker_threads';
import { API_PREFIX, type Endpoint } from '../../../schemas/src/endpoint';
import * as endpoints from '../../../schemas/src/endpoints';
import { DomainError } from '../util/errors';
import { parseJson, parsePart } from './parse';
import { endpointKey, type BodyJob, type BodyResult } from './body-parser';
import { pack } from './pack';

const byKey = new Map<string, Endpoint>();
for (const ep of Object.values(endpoints) as Endpoint[]) {
  if (ep && typeof ep === 'object' && 'kind' in ep && ep.body) byKey.set(endpointKey(ep.method, (ep.prefix ?? API_PREFIX) + ep.path), ep);
}

function run(job: BodyJob): { result: BodyResult; transfer: ArrayBuffer[] } {
  try {
    const ep = byKey.get(job.endpoint);
    if (!ep) throw new Error(`no endpoint ${job.endpoint} with a body`);
    const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    const { packed, transfer } = pack(parsePart('body', ep.body, parseJson(bytes)));
    return { result: { id: job.id, ok: true, packed }, transfer };
  } catch (e) {
    const error = e instanceof DomainError ? { status: e.status, code: e.code, message: e.message, issues: e.issues } : { status: 500, code: 'internal' as const, message: e instanceof Error ? e.message : String(e) };
    return { result: { id: job.id, ok: false, error }, transfer: [] };
  }
}

parentPort?.on('message', (job: BodyJob) => {
  const { result, transfer } = run(job);
  parentPort?.postMessage(result, transfer);
});
