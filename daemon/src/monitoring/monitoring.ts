/**
 * Monitoring of deployments (issue 15). Contract-first stub: the shapes are final, the work lands
 * in the following commits (recording, storage, drift, feedback, alerts).
 */
import { type z } from 'zod';
import {
  type alertsQuery,
  type Alert,
  type DistributionResponse,
  type FeedbackRequest,
  type FeedbackResponse,
  type MonitorResponse,
  type Prediction,
  type rangeQuery,
  type SeriesResponse,
  type windowsResponse,
} from '../../../schemas/src/monitoring';
import { DomainError, notFound } from '../util/errors';

class AlertsStub {
  list(_q: z.infer<typeof alertsQuery>): { alerts: Alert[]; silenced: { deployment: string; until: string }[] } {
    return { alerts: [], silenced: [] };
  }
  ack(id: string, _actor: string, _reason: string): Alert {
    throw notFound('alert', `alert ${id}`);
  }
  silence(deployment: string, _for: string, _actor: string, _reason: string): { deployment: string; silenced_until: string } {
    return { deployment, silenced_until: new Date().toISOString() };
  }
}

export class Monitoring {
  readonly alerts = new AlertsStub();

  monitor(name: string): MonitorResponse {
    throw new DomainError(404, 'not_found', `no monitoring data for deployment "${name}" yet`, undefined, 'deployment');
  }
  prediction(requestId: string, _deployment?: string): Prediction {
    throw notFound('prediction', `prediction ${requestId}`);
  }
  feedback(_name: string, _body: FeedbackRequest, _actor: string): FeedbackResponse {
    return { accepted: 0, unknown: [], unknown_count: 0, duplicate: 0, invalid: [] };
  }
  series(name: string, _q: z.infer<typeof rangeQuery>): SeriesResponse {
    const now = new Date().toISOString();
    return { deployment: name, from: now, to: now, step: 10, points: [] };
  }
  windows(name: string, _q: z.infer<typeof rangeQuery>): z.infer<typeof windowsResponse> {
    return { deployment: name, windows: [] };
  }
  distribution(name: string, window: number, feature: string): DistributionResponse {
    throw notFound('deployment', `window ${window} of ${name} (feature ${feature})`);
  }
}
