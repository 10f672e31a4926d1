/** `mlops events`: the audit log, newest last; `--follow` streams new events. */
import { type MlopsEvent } from '../../../schemas/src/api';
import { EventStream } from '../../../client/src/events';
import { api, connect } from '../context';
import { CliError, positiveInt, str, type CommandSpec, type CliIo } from '../framework';
import { fmtTime, printJson, table } from '../output';
import * as endpoints from '../../../schemas/src/endpoints';

/** A compact "what changed": only the keys whose values differ, long values shortened. */
export function change(ev: MlopsEvent): string {
  const short = (v: unknown): string => {
    if (v == null) return '∅';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.length > 16 && /^[0-9a-f]{20,}$/.test(s) ? `${s.slice(0, 12)}…` : s;
  };
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const b = obj(ev.before);
  const a = obj(ev.after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .filter((k) => !(Array.isArray(a[k]) && (a[k] as unknown[]).length === 0 && !(k in b)))
    .map((k) => (k in b ? `${k}: ${short(b[k])} → ${short(a[k])}` : `${k}: ${short(a[k])}`))
    .join(', ');
}

function printLine(io: CliIo, ev: MlopsEvent, json: boolean): void {
  if (json) io.out(JSON.stringify(ev) + '\n');
  else io.out(`${ev.seq}  ${fmtTime(ev.time)}  ${ev.actor}  ${ev.kind}  ${ev.subject}  ${change(ev)}${ev.reason ? `  "${ev.reason}"` : ''}\n`);
}

export const eventCommands: CommandSpec[] = [
  {
    words: ['events'],
    summary: 'Show the append-only audit log (who changed what, when and why)',
    options: {
      subject: { type: 'string', description: 'only subjects starting with this, e.g. model:churn', placeholder: 'prefix' },
      after: { type: 'string', description: 'only events after this sequence number', placeholder: 'seq' },
      limit: { type: 'string', description: 'at most this many (default 1000)', placeholder: 'n' },
      follow: { type: 'boolean', short: 'f', description: 'keep streaming new events (JSON lines with --json)' },
    },
    json: true,
    examples: ['mlops events', 'mlops events --subject model:churn', 'mlops events --follow --json'],
    run: async (args, io) => {
      const client = await connect(io);
      const afterText = str(args, 'after');
      if (afterText !== undefined && !/^\d+$/.test(afterText)) throw new CliError(`--after "${afterText}": expected a sequence number (a whole number)`);
      const after = afterText ? Number(afterText) : 0;
      const limit = positiveInt(str(args, 'limit') ?? '1000', '--limit');
      const r = await api(() => client.request(endpoints.listEvents, { query: { after, limit, subject: str(args, 'subject') } }));
      if (!args.options['follow']) {
        if (args.json) return printJson(io, r.events);
        io.out(
          table(
            ['seq', 'time', 'actor', 'action', 'subject', 'change', 'reason'],
            r.events.map((e) => [e.seq, fmtTime(e.time), e.actor, e.kind, e.subject, change(e) || null, e.reason || null]),
          ),
        );
        return;
      }
      r.events.forEach((e) => printLine(io, e, args.json));
      const subject = str(args, 'subject');
      await new Promise<void>((done) => {
        const stream = new EventStream({
          after: r.events[r.events.length - 1]?.seq ?? r.last_seq,
          connection: () => client.conn,
          onEvent: (e) => {
            if (!subject || e.subject.startsWith(subject)) printLine(io, e, args.json);
          },
        }).start();
        process.once('SIGINT', () => {
          stream.close();
          done();
        });
      });
    },
  },
];
