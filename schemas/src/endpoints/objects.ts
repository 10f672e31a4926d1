/** Content uploads: clients send the bytes they want stored (the daemon never reads a path a client names). */
import { defineEndpoint } from '../endpoint';
import { MAX_UPLOAD_BYTES, uploadResponse } from '../security';

/** `Content-Type: application/octet-stream`, streamed; answers the content's sha256 for later requests to name. */
export const uploadObject = defineEndpoint({
  method: 'POST',
  path: '/objects',
  rawBody: 'application/octet-stream',
  response: uploadResponse,
  status: 201,
  maxBodyBytes: MAX_UPLOAD_BYTES,
  errors: ['unsupported_media_type'],
  timeoutMs: 300_000,
});
