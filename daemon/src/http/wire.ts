/**
 * HTTP plumbing shared by the daemon's API server and the serving processes: reading a size-capped
 * body and recognising a loopback Host header (DNS-rebinding defence). Kept free of the daemon's
 * error and schema modules so the serving bundle stays small.
 */
import { type IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The host name of a Host header without its port, lower-cased (`[::1]` keeps its brackets); undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header);
  return m ? (m[1] ?? '').toLowerCase() : undefined;
}

export function isLoopbackHost(header: string | undefined): boolean {
  const name = hostName(header);
  return name !== undefined && LOOPBACK_HOSTS.has(name);
}

/**
 * The whole body, refused with `tooLarge()` as soon as the declared length or the bytes received
 * pass `limit` (the rest is drained, not buffered, so the connection can answer the refusal).
 */
export function readBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}
