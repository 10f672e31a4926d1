/** Turns anything thrown into the message a user should read: the daemon's own words when it answered. */
import { ApiError } from '../../../client/src/client';

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    const issues = e.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return issues ? `${e.message} (${issues})` : e.message;
  }
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return `the MLOps daemon is not reachable (${e.message})`;
    return e.message;
  }
  return String(e);
}
