/** The event log: JSON pages, and a server-sent event stream that replays from Last-Event-ID. */
import * as z from 'zod';
import { eventSchema, eventsQuery, eventsResponse } from '../api';
import { defineEndpoint, defineStreamEndpoint } from '../endpoint';

export const listEvents = defineEndpoint({ method: 'GET', path: '/events/log', query: eventsQuery, response: eventsResponse });

export const eventStreamQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional().describe('Replay events after this seq (the Last-Event-ID header wins)'),
    subject: z.string().max(300).optional().describe('Prefix of the subject, e.g. "model:churn"'),
  })
  .strict();
/** Each message's `id` is the event's seq and its `data` the event. */
export const streamEvents = defineStreamEndpoint({ method: 'GET', path: '/events', query: eventStreamQuery, format: 'sse', item: eventSchema });
