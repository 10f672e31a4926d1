/** A conversion written by `mlops convert` (or the editor) goes into the event log: who turned which notebook into which stages. */
import { recordConversion } from '../../../schemas/src/endpoints/notebooks';
import { type EventLog } from '../events/event-log';
import { serve, type Route } from '../http/router';

export function notebookRoutes(events: EventLog): Route[] {
  return [
    serve(recordConversion, ({ body, actor }) =>
      events.record({ actor, kind: 'notebook.converted', subject: `notebook:${body.notebook}`, after: { stages: body.stages, written: body.written, ...(body.verified !== undefined ? { verified: body.verified } : {}) } }),
    ),
  ];
}
