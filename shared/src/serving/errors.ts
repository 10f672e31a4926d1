/** Errors a serving process answers with: a status, a stable code, and for 400s the instance and feature at fault. */
import { type ServingErrorBody } from '../../../schemas/src/serving';

export class ServingError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where: { instance?: number; feature?: string } = {},
  ) {
    super(message);
  }

  body(): ServingErrorBody {
    return { error: { status: this.status, code: this.code, message: this.message, ...this.where } };
  }
}

export const invalidInput = (message: string, where: { instance?: number; feature?: string } = {}): ServingError =>
  new ServingError(400, 'invalid_input', message, where);
