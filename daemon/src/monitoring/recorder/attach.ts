/** Plugs monitoring into a serving process: the recorder, its flush timer and the `/feedback` route. */
import { type MonitoringFromServing } from '../../../../schemas/src/monitoring';
import { type ServingBoot, type ToServingMessage } from '../../../../schemas/src/serving';
import { type ModelHost } from '../../serving/host';
import { type ServingServer } from '../../serving/http';
import { type ServingMetrics } from '../../serving/metrics';
import { FeedbackRoute } from './feedback-route';
import { MonitorRecorder } from './recorder';

/**
 * Messages still in the IPC channel past which predictions wait in the ring instead of queueing more
 * (about 10,000 predictions in chunks of CHUNK: a few seconds of full load).
 */
const MAX_QUEUED_MESSAGES = 40;

export interface AttachedMonitoring {
  /** Messages from the daemon meant for monitoring (feedback answers, sync requests). */
  onMessage(msg: ToServingMessage): void;
  /** Sends everything still held; called before the process exits. */
  close(): void;
}

export function attachMonitoring(
  boot: ServingBoot,
  server: ServingServer,
  host: ModelHost,
  metrics: ServingMetrics,
  send: (m: MonitoringFromServing) => boolean,
  log: (line: string) => void,
): AttachedMonitoring | undefined {
  const mon = boot.monitoring;
  if (!mon) return undefined;
  let queued = 0;
  const sendCounted = (m: MonitoringFromServing): void => {
    if (!process.send || !process.connected) return void send(m);
    queued++;
    process.send(m, undefined, undefined, () => queued--);
  };
  const recorder = new MonitorRecorder(mon, sendCounted, () => host.model, () => metrics.inFlight, () => queued <= MAX_QUEUED_MESSAGES);
  server.recorders.push((r) => recorder.record(r));
  const feedback = new FeedbackRoute(boot.deployment, mon.feedback_token, () => recorder.flush(false, true), send);
  server.postRoutes.set('/feedback', feedback);
  let reported = 0;
  let reportedWindows = 0;
  const timer = setInterval(() => {
    recorder.flush();
    if (recorder.dropped > reported) {
      log(`monitoring: ${recorder.dropped - reported} predictions dropped from the log (more than ${mon.ring} between two flushes)`);
      reported = recorder.dropped;
    }
    if (recorder.windowsDropped > reportedWindows) {
      log(`monitoring: ${recorder.windowsDropped - reportedWindows} windows dropped (the daemon is not reading)`);
      reportedWindows = recorder.windowsDropped;
    }
  }, mon.flush_ms);
  timer.unref();
  return {
    onMessage: (msg) => {
      if (msg.type === 'feedback_result') feedback.reply(msg.id, msg.status, msg.body);
      else if (msg.type === 'monitor_sync') {
        recorder.flush(false, true);
        sendCounted({ type: 'monitor_synced', id: msg.id });
      }
    },
    close: () => {
      clearInterval(timer);
      recorder.flush(true);
    },
  };
}
