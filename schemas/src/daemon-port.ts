/**
 * `.mlops/port.json`: the port the project's daemon last listened on, kept across restarts so the
 * `MLFLOW_TRACKING_URI` that `mlops env` printed stays valid. The daemon asks for this port first;
 * when it is taken the daemon takes a free one and records which port it replaced and when.
 */
import * as z from 'zod';

const port = z.number().int().min(1).max(65535);

export const daemonPortRecord = z.object({
  port,
  /** Set when the daemon could not get its previous port at its last start. */
  previous_port: port.optional(),
  /** When that happened (ISO 8601). */
  changed_at: z.string().optional(),
});
export type DaemonPortRecord = z.infer<typeof daemonPortRecord>;
