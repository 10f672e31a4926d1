/**
 * Error codes of the daemon API: the one list the daemon answers with, the client throws with and the
 * CLI picks its hints from (never from message text). Every error body carries one as `code`; a 404
 * for something that does not exist also names the kind of thing as `entity`.
 */
import * as z from 'zod';

export const ERROR_CODES = [
  // Any endpoint (transport, auth, validation, the daemon's own faults).
  'bad_request',
  'bad_json',
  'body_too_large',
  'unauthorized',
  'forbidden_host',
  'no_route',
  'method_not_allowed',
  'busy',
  'internal',
  'invalid_response',
  // Domain answers; each endpoint lists the ones it can give.
  'not_found',
  'conflict',
  'bad_pattern',
  'changed_during_snapshot',
  'object_missing',
  'artifact_too_large',
  'invalid_artifact',
  'invalid_config',
  'no_files',
  'signature_mismatch',
  // Security and durability (docs/SECURITY.md).
  'unsupported_media_type',
  'too_deep',
  'unsafe_path',
  'corrupt_manifest',
  'store_error',
  'store_mismatch',
  'disabled',
  'unknown_signature',
  'invalid_estimator',
  // Promotion gates (docs/GATES.md).
  'gates_failed',
  // Client side: an error body that is not one of ours (a proxy, a foreign server).
  'http_error',
  // Client side: the daemon went away while its answer was still coming (crash, kill -9).
  'connection_lost',
] as const;
export const errorCodeEnum = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeEnum>;

/** Codes any endpoint may answer; declarations list only the ones beyond these. */
export const COMMON_ERRORS = [
  'bad_request',
  'bad_json',
  'body_too_large',
  'unauthorized',
  'forbidden_host',
  'method_not_allowed',
  'busy',
  'internal',
  'invalid_response',
  'unsupported_media_type',
  'too_deep',
  'store_error',
] as const satisfies readonly ErrorCode[];

/** What a `not_found` is about, so a client can say what to list instead. */
export const ENTITY_KINDS = ['model', 'model_version', 'alias', 'run', 'dataset', 'dataset_version', 'deployment', 'alert', 'prediction'] as const;
export const entityKindEnum = z.enum(ENTITY_KINDS);
export type EntityKind = z.infer<typeof entityKindEnum>;

export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export type ErrorIssue = z.infer<typeof errorIssueSchema>;

/** Every error body the daemon sends. `issues[].path` names the offending field for 400s. */
export const errorResponse = z.object({
  error: z.object({
    status: z.number().int(),
    code: errorCodeEnum,
    message: z.string(),
    entity: entityKindEnum.optional().describe('For not_found: the kind of thing that does not exist'),
    issues: z.array(errorIssueSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorResponse>;
