/**
 * Feedback: true labels (classification) or values (regression) for earlier predictions, by request
 * id. Matched to the stored predictions of the deployment; ids never seen or already pruned are
 * reported back (never dropped silently), labels of the wrong kind refused with the reason.
 */
import { type FeedbackItem, type FeedbackResponse } from '../../../schemas/src/monitoring';
import { sameLabel } from '../../../shared/src/monitoring/outputs';
import { type Task } from './queries';
import { type MonitoringStore, type PredictionRow } from './store';

const MAX_LISTED = 1000;

function numeric(label: unknown): number | null {
  if (typeof label === 'number') return Number.isFinite(label) ? label : null;
  if (typeof label === 'boolean') return Number(label);
  if (typeof label === 'string' && label.trim() !== '' && Number.isFinite(Number(label))) return Number(label);
  return null;
}

export function matchFeedback(store: MonitoringStore, deployment: string, task: Task, items: FeedbackItem[]): FeedbackResponse {
  const unknown: string[] = [];
  let unknownCount = 0;
  const invalid: { request_id: string; reason: string }[] = [];
  const save: { prediction: PredictionRow; label: string; labelNum: number | null; correct: boolean | null }[] = [];
  for (const it of items) {
    const p = store.prediction(it.request_id, deployment);
    if (!p) {
      unknownCount++;
      if (unknown.length < MAX_LISTED) unknown.push(it.request_id);
      continue;
    }
    if (p.status >= 400 || p.predicted === null) {
      invalid.push({ request_id: it.request_id, reason: `the request answered ${p.status} without a prediction to compare with` });
      continue;
    }
    const num = numeric(it.label);
    if (task === 'regression' && num === null) {
      invalid.push({ request_id: it.request_id, reason: `a regression label must be a number, got ${JSON.stringify(it.label)}` });
      continue;
    }
    const predicted = p.predicted_num ?? p.predicted;
    save.push({ prediction: p, label: JSON.stringify(it.label), labelNum: num, correct: task === 'regression' ? null : sameLabel(it.label, predicted) });
  }
  const duplicate = save.length ? store.saveFeedback(save) : 0;
  return { accepted: save.length, unknown, unknown_count: unknownCount, duplicate, invalid: invalid.slice(0, MAX_LISTED) };
}
