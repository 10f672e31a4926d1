/**
 * A client process for crash tests: `node --import tsx test/helpers/registry-writer.ts <root> <id> <log>`.
 * Loops over register → promote → alias on its own model and appends one JSON line to <log> before
 * each request ("intent") and after each acknowledgement ("ack"). It exits when the daemon goes away.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonClient } from '../../client/src/client';
import { readInfo } from './daemon';
import { writeLinearOnnx } from './onnx';
import * as endpoints from '../../schemas/src/endpoints';

export type WriterLine =
  | { t: 'intent' | 'ack'; op: 'register'; model: string; n: number; version?: number; sha256?: string }
  | { t: 'intent' | 'ack'; op: 'stage'; model: string; version: number; stage: 'Staging' | 'Production' }
  | { t: 'intent' | 'ack'; op: 'alias'; model: string; alias: string; version: number }
  | { t: 'end'; reason: string };

async function main(): Promise<void> {
  const [root, id, log] = process.argv.slice(2);
  if (!root || !id || !log) throw new Error('usage: registry-writer.ts <root> <id> <log>');
  const info = readInfo(root);
  if (!info) throw new Error(`no daemon.json in ${root}`);
  const client = new DaemonClient({ port: info.port, token: info.token }, `writer-${id}`);
  const write = (line: WriterLine): void => appendFileSync(log, JSON.stringify(line) + '\n');
  const model = `w${id}`;
  const dir = join(root, 'writer-models', id);
  mkdirSync(dir, { recursive: true });
  try {
    for (let n = 1; ; n++) {
      const file = writeLinearOnnx(join(dir, `${n}.onnx`), { features: 4, seed: Number(id) * 100_000 + n });
      write({ t: 'intent', op: 'register', model, n });
      const r = await client.request(endpoints.registerVersion, { params: { name: model }, body: { artifact_path: file } });
      const version = r.version.version;
      write({ t: 'ack', op: 'register', model, n, version, sha256: r.version.artifact_sha256 });
      const stage = n % 3 === 0 ? 'Staging' : 'Production';
      write({ t: 'intent', op: 'stage', model, version, stage });
      await client.request(endpoints.setStage, { params: { name: model, version }, body: { stage } });
      write({ t: 'ack', op: 'stage', model, version, stage });
      write({ t: 'intent', op: 'alias', model, alias: 'latest', version });
      await client.request(endpoints.setAlias, { params: { name: model, alias: 'latest' }, body: { version } });
      write({ t: 'ack', op: 'alias', model, alias: 'latest', version });
    }
  } catch (e) {
    write({ t: 'end', reason: e instanceof Error ? e.message : String(e) });
  }
}

void main();
