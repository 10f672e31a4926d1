/**
 * Contracts of the security and durability work: content uploads (the daemon never reads a file
 * path a client names) and the store check (`mlops doctor`).
 */
import * as z from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in lowercase hex');

/** Largest upload: an ONNX model or run artifact. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** `POST /api/v1/objects` with `Content-Type: application/octet-stream`: the content, streamed. */
export const uploadResponse = z.object({
  sha256: sha256Hex,
  size: z.number().int().min(0),
  created: z.boolean().describe('False when the store already held this content'),
});
export type UploadResponse = z.infer<typeof uploadResponse>;

export const doctorProblem = z.object({
  kind: z.enum(['missing_object', 'corrupt_object', 'unsafe_manifest_path', 'stale_temp', 'integrity']),
  subject: z.string().describe('What references the object: dataset:<name>/<version>, model:<name>/<version>, run:<id>'),
  detail: z.string(),
});

/** `GET /api/v1/doctor` and `mlops doctor --json`. */
export const doctorResponse = z.object({
  ok: z.boolean(),
  checked_objects: z.number().int(),
  referenced_objects: z.number().int(),
  problems: z.array(doctorProblem),
});
export type DoctorReport = z.infer<typeof doctorResponse>;

/** `mlops doctor --rebuild --json`. */
export const doctorRebuildResponse = z.object({
  moved_to: z.string().describe('Folder the objects were moved to (nothing is deleted)'),
  objects: z.number().int(),
  bytes: z.number().int(),
});
