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
      openStream(log, res, after, query.subject, () => req.destroyed);
    }),
  ];
}

/** Replays what the client missed, then follows live events; live ones arriving meanwhile are buffered. */
function openStream(log: EventLog, res: ServerResponse, after: number, subject: string | undefined, gone: () => boolean): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(': connected\nretry: 1000\n\n');
  let last = after;
  let replaying = true;
  const buffered: MlopsEvent[] = [];
  const send = (ev: MlopsEvent): void => {
    if (ev.seq <= last || (subject && !ev.subject.startsWith(subject))) return;
    last = ev.seq;
    res.write(`id: ${ev.seq}\ndata: ${JSON.stringify(ev)}\n\n`);
  };
  const unsubscribe = log.subscribe((ev) => (replaying ? buffered.push(ev) : send(ev)));
  for (;;) {
    const batch = log.list(last, REPLAY_BATCH, subject);
    batch.forEach(send);
    if (batch.length < REPLAY_BATCH || gone()) break;
  }
  replaying = false;
  buffered.forEach(send);
  const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  beat.unref();
  res.on('close', () => {
    clearInterval(beat);
    unsubscribe();
  });
}
