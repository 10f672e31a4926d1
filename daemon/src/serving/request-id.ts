/**
 * Request ids the serving process makes when the caller sends none: UUIDv7 (RFC 9562), a 48-bit
 * Unix-millisecond time, a 12-bit sequence within the millisecond, and 62 random bits.
 *
 * Why time-ordered and not random (v4): monitoring stores every prediction under a unique index on
 * (deployment, request_id). Random ids put each insert on a random page of that index, so a chunk
 * of 256 predictions rewrote ~256 index pages (WAL) and storing one cost 18–20 µs of the daemon's
 * CPU and 29 µs of its time; ids that grow with time land at the index's end: 7–10 µs and 8–11 µs
 * (the monitoring benchmark measures it; docs/MONITORING.md). Ids stay unique and unguessable enough for what
 * they are (a handle for feedback, sent back to the caller), and sort by arrival.
 */
import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;
let lastMs = -1;
let seq = 0;

function random8(): number {
  if (poolAt + 8 > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 8;
  return at;
}

const h = (b: number): string => HEX[b & 0xff] as string;

/** A new UUIDv7; ids made in the same millisecond by this process keep their order (up to 4,096). */
export function uuidV7(now = Date.now()): string {
  if (now === lastMs) seq = (seq + 1) & 0xfff;
  else {
    lastMs = now;
    seq = 0;
  }
  const hi = Math.floor(now / 0x100000000);
  const lo = now >>> 0;
  const r = random8();
  const p = pool;
  return (
    h(hi >>> 8) + h(hi) + h(lo >>> 24) + h(lo >>> 16) + '-' + h(lo >>> 8) + h(lo) + '-' +
    h(0x70 | (seq >>> 8)) + h(seq) + '-' + h(0x80 | ((p[r] as number) & 0x3f)) + h(p[r + 1] as number) + '-' +
    h(p[r + 2] as number) + h(p[r + 3] as number) + h(p[r + 4] as number) + h(p[r + 5] as number) + h(p[r + 6] as number) + h(p[r + 7] as number)
  );
}
