/**
 * A client process for the crash test: logs metric batches to one run as fast as the daemon acks
 * them and appends each acknowledged batch ("key first last") to a file, until it is killed or the
 * daemon goes away. Usage: node --import tsx metric-writer.ts <port> <token> <runId> <key> <ackFile>
 */
import { appendFileSync } from 'node:fs';
import { DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

async function main(): Promise<void> {
  const [port, token, runId, key, ackFile] = process.argv.slice(2) as [string, string, string, string, string];
  const client = new DaemonClient({ port: Number(port), token }, 'test:writer');
  const batch = 200;
  for (let step = 0; ; step += batch) {
    const steps = Array.from({ length: batch }, (_, i) => step + i);
    try {
      await client.request(endpoints.logMetricBatch, { params: { id: runId }, body: {
        keys: steps.map(() => key),
        steps,
        timestamps: steps.map(() => Date.now()),
        values: steps.map((s) => s / 10),
      } });
    } catch {
      return;
    }
    appendFileSync(ackFile, `${key} ${step} ${step + batch - 1}\n`);
  }
}

void main();
