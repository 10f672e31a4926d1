/** Handlers of the event endpoints: the SSE stream with Last-Event-ID replay, and JSON pages. */
import { type ServerResponse } from 'node:http';
import { type MlopsEvent } from '../../../schemas/src/api';
import { listEvents, streamEvents } from '../../../schemas/src/endpoints/events';
import { serve, type Route } from '../http/router';
import { type EventLog } from './event-log';

const HEARTBEAT_MS = 15_000;
const REPLAY_BATCH = 1000;

export function eventRoutes(log: EventLog): Route[] {
  return [
    serve(listEvents, ({ query }) => {
      const events = log.list(query.after, query.limit, query.subject);
      return { events, last_seq: log.lastSeq() };
    }),
    serve(streamEvents, ({ query, req }, res) => {
      const header = req.headers['last-event-id'];
      const fromHeader = Number(Array.isArray(header) ? header[0] : header);
      const after = Number.isInteger(fromHeader) && fromHeader >= 0 ? fromHeader : (query.after ?? log.lastSeq());
      return openStream(log, res, after, query.subject);
    }),
  ];
}

/** Bytes a subscriber may leave unread before it is dropped (it reconnects with Last-Event-ID). */
export const MAX_SUBSCRIBER_BUFFER = 1 << 20;
/** During replay, pages wait for the socket to drain past this many unread bytes. */
const REPLAY_HIGH_WATER = 256 * 1024;

/**
 * Replays what the client missed, page by page (each page waits until the client has read the
 * last), then follows live events. Nothing is buffered per subscriber beyond the socket's own
 * buffer: every event is in the log, so a page is read again from it, and a live subscriber that
 * lets more than MAX_SUBSCRIBER_BUFFER bytes pile up is disconnected and resumes from its last id.
 */
async function openStream(log: EventLog, res: ServerResponse, after: number, subject: string | undefined): Promise<void> {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(': connected\nretry: 1000\n\n');
  let closed = false;
  res.on('close', () => (closed = true));
  let last = after;
  const send = (ev: MlopsEvent): void => {
    if (ev.seq <= last || (subject && !ev.subject.startsWith(subject))) return;
    last = ev.seq;
    res.write(`id: ${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`);
  };
  for (;;) {
    const batch = log.list(last, REPLAY_BATCH, subject);
    let paused = false;
    for (const ev of batch) {
      send(ev);
      // A client that reads slowly is waited for; the rest of the page is read again afterwards.
      if (res.writableLength > REPLAY_HIGH_WATER) {
        paused = true;
        break;
      }
    }
    if (closed) return;
    if (paused) {
      await drained(res);
      if (closed) return;
      continue;
    }
    if (batch.length < REPLAY_BATCH) break;
  }
  // The last page and the subscription happen in one synchronous step: no event falls between.
  const unsubscribe = log.subscribe((ev) => {
    if (res.destroyed) return;
    send(ev);
    if (res.writableLength > MAX_SUBSCRIBER_BUFFER) res.destroy();
  });
  const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  beat.unref();
  res.on('close', () => {
    clearInterval(beat);
    unsubscribe();
  });
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
