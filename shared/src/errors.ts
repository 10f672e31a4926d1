/**
 * The error that crosses the API boundary, with its HTTP status and a code from schemas/src/errors.ts.
 * It lives in shared/ because code the daemon and the CLI both run (safe paths, the object store)
 * throws it; the daemon's server turns it into the declared error body.
 */
import { type EntityKind, type ErrorCode, type ErrorIssue } from '../../schemas/src/errors';

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
    /** For not_found: what kind of thing does not exist. */
    readonly entity?: EntityKind,
  ) {
    super(message);
  }
}
