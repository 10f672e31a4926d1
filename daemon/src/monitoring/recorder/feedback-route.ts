/**
 * `POST /feedback` on a serving endpoint. It always needs the deployment's serving token, whatever
 * `auth` says for prediction routes: forged labels could open alerts and trigger rollbacks. The
 * monitoring thread sends the predictions it holds first, then the labels, on the same stream
 * (ordered), so feedback on a prediction made a moment ago finds it; the daemon matches, stores and
 * answers over IPC.
 */
import { timingSafeEqual } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type MonitoringFromServing } from '../../../../schemas/src/monitoring';
import { ServingError } from '../../../../shared/src/serving/errors';

const REPLY_TIMEOUT_MS = 30_000;

export interface RouteAnswer {
  status: number;
  body: unknown;
}

export class FeedbackRoute {
  private nextId = 1;
  private readonly waiting = new Map<number, (a: RouteAnswer) => void>();

  constructor(
    private readonly deployment: string,
    private readonly token: string,
    /** Sends `m` to the daemon after every prediction recorded so far; false when the daemon cannot be reached. */
    private readonly sendAfterLog: (m: MonitoringFromServing) => Promise<boolean>,
  ) {}

  checkToken(req: IncomingMessage): void {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    const want = Buffer.from(this.token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new ServingError(401, 'unauthorized', `POST /feedback always needs the serving token: send "Authorization: Bearer <token>" (mlops deployments show ${this.deployment} --json gives it)`);
    }
  }

  /**
   * Hands a parsed body to the daemon and waits for its answer. The waiter is in place before the
   * labels leave: the answer travels over IPC and can arrive before the monitoring thread has said
   * it wrote them (a race the full suite hit once in three runs under load).
   */
  async handle(body: unknown): Promise<RouteAnswer> {
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<RouteAnswer>((resolve) => {
      timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ status: 504, body: { error: { status: 504, code: 'timeout', message: 'the daemon did not answer within 30 s; the labels may not be recorded, send them again (a repeat replaces, never duplicates)' } } });
      }, REPLY_TIMEOUT_MS);
      this.waiting.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
    if (!(await this.sendAfterLog({ type: 'feedback', id, body }))) {
      clearTimeout(timer);
      this.waiting.delete(id);
      throw new ServingError(503, 'no_daemon', 'feedback is recorded by the daemon, which this process cannot reach; send it with `mlops feedback` once the daemon runs');
    }
    return answer;
  }

  reply(id: number, status: number, body: unknown): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    w?.({ status, body });
  }
}
