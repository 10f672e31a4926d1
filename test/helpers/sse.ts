/** A bare server-sent-events reader over node:http, so tests see exactly what the daemon sends. */
import { request, type ClientRequest } from 'node:http';
import { eventSchema, type MlopsEvent } from '../../schemas/src/api';

export interface SseReader {
  /** Every event received, in arrival order, with the SSE `id:` line seen for it. */
  events: (MlopsEvent & { sseId: string | undefined })[];
  /** Resolves once `pred` holds for the events received (rejects after `ms`). */
  waitFor(pred: (events: MlopsEvent[]) => boolean, ms?: number): Promise<void>;
  close(): void;
}

export function openSse(opts: { port: number; token: string; lastEventId?: string; query?: string }): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const events: SseReader['events'] = [];
    const waiters: (() => void)[] = [];
    const headers: Record<string, string> = { Authorization: `Bearer ${opts.token}`, Accept: 'text/event-stream' };
    if (opts.lastEventId !== undefined) headers['Last-Event-ID'] = opts.lastEventId;
    const req: ClientRequest = request({
      host: '127.0.0.1',
      port: opts.port,
      path: `/api/v1/events${opts.query ? `?${opts.query}` : ''}`,
      headers,
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`event stream answered HTTP ${res.statusCode}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const lines = block.split('\n');
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          if (!data.length) continue;
          const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
          events.push({ ...eventSchema.parse(JSON.parse(data.join('\n'))), sseId: id });
          waiters.splice(0).forEach((w) => w());
        }
      });
      resolve({
        events,
        close: () => req.destroy(),
        waitFor: (pred, ms = 10_000) =>
          new Promise<void>((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out waiting for events; got seqs ${events.map((e) => e.seq).join(',')}`)), ms);
            const check = (): void => {
              if (pred(events)) {
                clearTimeout(timer);
                ok();
              } else waiters.push(check);
            };
            check();
          }),
      });
    });
    req.end();
  });
}
