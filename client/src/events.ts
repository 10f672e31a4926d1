/**
 * Follows the daemon's server-sent events. Resumes with Last-Event-ID after a drop, so no event is
 * lost or repeated; reconnects with exponential backoff until closed.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { fillPath } from '../../schemas/src/endpoint';
import { streamEvents } from '../../schemas/src/endpoints/events';
import { type MlopsEvent } from '../../schemas/src/api';
import { type Connection } from './client';

export interface EventStreamOptions {
  /** Where to resume: events after this sequence number are delivered. */
  after: number;
  onEvent(ev: MlopsEvent): void;
  onState?(state: 'connected' | 'disconnected', error?: Error): void;
  /** Asked before each reconnect; lets the owner re-read daemon.json after a daemon restart. */
  connection(): Connection | Promise<Connection>;
  maxBackoffMs?: number;
}

export class EventStream {
  private req?: ClientRequest;
  private closed = false;
  private last: number;
  private backoff = 250;
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: EventStreamOptions) {
    this.last = opts.after;
  }

  get lastSeq(): number {
    return this.last;
  }

  start(): this {
    void this.connect();
    return this;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.req?.destroy();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let conn: Connection;
    try {
      conn = await this.opts.connection();
    } catch (e) {
      return this.retry(e instanceof Error ? e : new Error(String(e)));
    }
    const req = httpRequest({
      host: '127.0.0.1',
      port: conn.port,
      path: fillPath(streamEvents),
      headers: { Authorization: `Bearer ${conn.token}`, Accept: 'text/event-stream', 'Last-Event-ID': String(this.last) },
    });
    this.req = req;
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return this.retry(new Error(`event stream answered HTTP ${res.statusCode}`));
      }
      this.backoff = 250;
      this.opts.onState?.('connected');
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          this.dispatch(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      });
      res.on('end', () => this.retry(new Error('event stream ended')));
      res.on('error', (e) => this.retry(e));
    });
    req.on('error', (e) => this.retry(e));
    req.end();
  }

  private dispatch(block: string): void {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    if (!data) return;
    const parsed = streamEvents.item.safeParse(JSON.parse(data));
    if (!parsed.success || parsed.data.seq <= this.last) return;
    this.last = parsed.data.seq;
    this.opts.onEvent(parsed.data);
  }

  private retry(error: Error): void {
    if (this.closed || this.timer) return;
    this.req?.destroy();
    this.opts.onState?.('disconnected', error);
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, wait);
  }
}
