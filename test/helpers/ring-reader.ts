/**
 * The consumer thread of the record-ring test: reads `total` records as monitoring's worker does
 * (drain, then sleep until woken), checks they arrive in order, and posts what it saw.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RecordReader } from '../../daemon/src/monitoring/recorder/record-ring';

const { sab, total } = workerData as { sab: SharedArrayBuffer; total: number };
const r = new RecordReader(sab);
let n = 0;
let outOfOrder = 0;
let last = -1;
// A pending Atomics.waitAsync does not keep a thread alive (monitoring's worker has its flush timer).
const alive = setInterval(() => undefined, 1000);
const loop = (): void => {
  r.awake();
  r.drain((e) => {
    if (e.kind !== 'request') return;
    const i = Number(e.request.requestId.slice(-12));
    if (i !== last + 1) outOfOrder++;
    last = i;
    n++;
  });
  if (n >= total) {
    clearInterval(alive);
    return void parentPort?.postMessage({ n, outOfOrder });
  }
  const s = r.sleep();
  if (!s) return void setImmediate(loop);
  void r.waitForWrite(s.head, 50).then(loop);
};
loop();
