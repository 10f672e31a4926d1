/** MLflow's error convention: `{"error_code": "...", "message": "..."}` with MLflow's HTTP status. */
import { MLFLOW_ERROR_STATUS, type MlflowErrorCode } from '../../../schemas/src/mlflow';
import { DomainError } from '../util/errors';

export class MlflowApiError extends Error {
  constructor(
    readonly code: MlflowErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return MLFLOW_ERROR_STATUS[this.code];
  }
}

export const invalid = (message: string): MlflowApiError => new MlflowApiError('INVALID_PARAMETER_VALUE', message);
export const missing = (message: string): MlflowApiError => new MlflowApiError('RESOURCE_DOES_NOT_EXIST', message);
export const exists = (message: string): MlflowApiError => new MlflowApiError('RESOURCE_ALREADY_EXISTS', message);
export const invalidState = (message: string): MlflowApiError => new MlflowApiError('INVALID_STATE', message);

/**
 * Our own domain errors, seen through MLflow's eyes: a 404 is RESOURCE_DOES_NOT_EXIST, a
 * write-once param or an ended run (409) is INVALID_PARAMETER_VALUE as MLflow answers them, a
 * refused model file (422) is INVALID_PARAMETER_VALUE.
 */
export function toMlflowError(e: unknown): MlflowApiError {
  if (e instanceof MlflowApiError) return e;
  if (e instanceof DomainError) {
    if (e.status === 404) return missing(e.message);
    if (e.status === 409) return invalidState(e.message);
    if (e.status === 413) return new MlflowApiError('REQUEST_LIMIT_EXCEEDED', e.message);
    if (e.status === 401) return new MlflowApiError('UNAUTHENTICATED', e.message);
    if (e.status === 403) return new MlflowApiError('PERMISSION_DENIED', e.message);
    if (e.status < 500) return invalid(e.message);
  }
  return new MlflowApiError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e));
}
