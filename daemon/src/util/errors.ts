/** Errors that cross the API boundary carry their HTTP status and a stable code. */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export const notFound = (what: string): DomainError => new DomainError(404, 'not_found', `${what} not found`);
export const conflict = (message: string): DomainError => new DomainError(409, 'conflict', message);
export const badRequest = (message: string, issues?: { path: string; message: string }[]): DomainError =>
  new DomainError(400, 'bad_request', message, issues);
