/** Errors that cross the API boundary carry their HTTP status and a code from schemas/src/errors.ts. */
import { type EntityKind, type ErrorCode, type ErrorIssue } from '../../../schemas/src/errors';

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

export const notFound = (entity: EntityKind, what: string): DomainError =>
  new DomainError(404, 'not_found', `${what} not found`, undefined, entity);
export const conflict = (message: string): DomainError => new DomainError(409, 'conflict', message);
export const badRequest = (message: string, issues?: ErrorIssue[]): DomainError => new DomainError(400, 'bad_request', message, issues);
