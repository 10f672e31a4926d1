/** Raw HTTP against the daemon, for what the typed client never sends: bad tokens, foreign Hosts, oversize bodies. */
import { request } from 'node:http';

export interface RawRequest {
  port: number;
  method: string;
  /** Sent exactly as given (no normalisation), e.g. "/api/v1/models/..%2Fx". */
  path: string;
  headers?: Record<string, string>;
  /** A string or Buffer body; `chunked` sends it without Content-Length. */
  body?: string | Buffer;
  chunked?: boolean;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export function rawRequest(r: RawRequest): Promise<RawResponse> {
  return new Promise((resolveOnce, rejectOnce) => {
    let settled = false;
    const resolve = (v: RawResponse): void => {
      settled = true;
      resolveOnce(v);
    };
    const reject = (e: Error): void => {
      settled = true;
      rejectOnce(e);
    };
    const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
    if (r.body !== undefined && !r.chunked) headers['Content-Length'] = Buffer.byteLength(r.body);
    if (r.body !== undefined && r.chunked) headers['Transfer-Encoding'] = 'chunked';
    if (r.body !== undefined && !('Content-Type' in headers)) headers['Content-Type'] = 'application/json';
    const req = request(
      { host: '127.0.0.1', port: r.port, method: r.method, path: r.path, headers, timeout: r.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${r.method} ${r.path}: no answer in time`)));
    // The server may answer (413) and close before the whole body is sent; the answer is what counts.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') return reject(e);
      setTimeout(() => settled || reject(e), 500);
    });
    if (r.body !== undefined && r.chunked) {
      const buf = Buffer.from(r.body);
      for (let i = 0; i < buf.length; i += 64 * 1024) req.write(buf.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(r.body);
  });
}
