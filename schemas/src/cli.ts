/**
 * `--json` contracts of CLI commands that have no API response of their own to reuse. The other
 * commands print the daemon's response schemas (schemas/src/api.ts, tracking.ts, drift.ts) as is.
 */
import * as z from 'zod';
import { statusResponse } from './api';

export const initJson = z.object({ root: z.string(), created: z.array(z.string()) });
export const daemonStartJson = z.object({ running: z.literal(true), pid: z.number().int(), port: z.number().int(), version: z.string() });
export const daemonStopJson = z.union([
  z.object({ stopped: z.literal(true), pid: z.number().int() }),
  z.object({ stopped: z.literal(false), running: z.literal(false) }),
]);
/** `mlops daemon status --json`; exit code 3 with `{running: false}` when no daemon runs. */
export const daemonStatusJson = z.union([
  statusResponse.extend({ running: z.literal(true), port: z.number().int() }),
  z.object({ running: z.literal(false), root: z.string() }),
]);
/** `mlops env --json`: what an MLflow client needs to log to this project's daemon. */
export const envJson = z.object({
  MLFLOW_TRACKING_URI: z.string(),
  MLFLOW_TRACKING_TOKEN: z.string(),
  /** Set when the daemon could not get its previous port at its last start: exports of the old address are stale. */
  port_changed: z.object({ from: z.number().int(), to: z.number().int(), at: z.string() }).optional(),
});
/** `mlops shadow report --json` and `mlops deployments enable|disable --json` (shapes in safety.ts, the endpoints' answers). */
export { flagJson, shadowReportJson } from './safety';

/**
 * Monitoring (issue 15): `mlops alerts`, `alerts ack`, `alerts silence`, `monitor`, `predictions show`
 * and `feedback` print these shapes, declared with their endpoints in schemas/src/monitoring.ts.
 */
export { alertsJson, alertAckJson, alertSilenceJson, monitorJson, predictionShowJson, feedbackJson } from './monitoring';
