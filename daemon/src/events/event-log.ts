/**
 * The append-only event log. Domain modules call `append` inside their own transaction, so the
 * audit record and the change commit together; listeners (SSE) hear of events only after commit.
 */
import { EventEmitter } from 'node:events';
import { type EventKind, type MlopsEvent } from '../../../schemas/src/api';
import { type Db } from '../store/db';

interface EventRow {
  seq: number;
  time: string;
  actor: string;
  kind: string;
  subject: string;
  before: string | null;
  after: string | null;
  reason: string;
}

export interface NewEvent {
  actor: string;
  kind: EventKind;
  subject: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

export class EventLog {
  private readonly insert;
  private readonly selectAfter;
  private readonly selectAfterSubject;
  private readonly lastSeqStmt;
  private readonly bus = new EventEmitter();
  /** Events appended in the open transaction; published once it commits. */
  private pending: MlopsEvent[] = [];

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO events (time, actor, kind, subject, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectAfter = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.selectAfterSubject = db.prepare(
      "SELECT * FROM events WHERE seq > ? AND (subject = ? OR subject LIKE ? ESCAPE '\\') ORDER BY seq LIMIT ?",
    );
    this.lastSeqStmt = db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events');
    this.bus.setMaxListeners(0);
  }

  /** Must be called inside a `db.transaction`; see `transact`. */
  append(e: NewEvent): MlopsEvent {
    const time = new Date().toISOString();
    const before = e.before === undefined ? null : e.before;
    const after = e.after === undefined ? null : e.after;
    const info = this.insert.run(
      time,
      e.actor,
      e.kind,
      e.subject,
      before === null ? null : JSON.stringify(before),
      after === null ? null : JSON.stringify(after),
      e.reason ?? '',
    );
    const ev: MlopsEvent = {
      seq: Number(info.lastInsertRowid),
      time,
      actor: e.actor,
      kind: e.kind,
      subject: e.subject,
      before,
      after,
      reason: e.reason ?? '',
    };
    this.pending.push(ev);
    return ev;
  }

  /** Runs `fn` in one synchronous transaction and publishes its events after the commit. */
  transact<T>(fn: () => T): T {
    this.pending = [];
    try {
      const result = this.db.transaction(fn).immediate();
      const done = this.pending;
      this.pending = [];
      for (const ev of done) this.bus.emit('event', ev);
      return result;
    } catch (err) {
      this.pending = [];
      throw err;
    }
  }

  /** Publishes an event outside any domain transaction (e.g. daemon lifecycle). */
  record(e: NewEvent): MlopsEvent {
    return this.transact(() => this.append(e));
  }

  list(after: number, limit: number, subjectPrefix?: string): MlopsEvent[] {
    const rows = (
      subjectPrefix
        ? this.selectAfterSubject.all(after, subjectPrefix, `${escapeLike(subjectPrefix)}%`, limit)
        : this.selectAfter.all(after, limit)
    ) as EventRow[];
    return rows.map(fromRow);
  }

  lastSeq(): number {
    return (this.lastSeqStmt.get() as { s: number }).s;
  }

  subscribe(listener: (ev: MlopsEvent) => void): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function fromRow(r: EventRow): MlopsEvent {
  return {
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    kind: r.kind as EventKind,
    subject: r.subject,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    reason: r.reason,
  };
}
