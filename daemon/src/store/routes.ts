/**
 * Handler of `POST /api/v1/objects` (schemas/src/endpoints/objects.ts): clients send artifact
 * content (streamed, size-capped) and get its hash, which registrations and run artifacts then
 * name. The daemon never opens a path a client names, so a leaked token cannot make it a file reader.
 */
import { MAX_UPLOAD_BYTES } from '../../../schemas/src/security';
import { uploadObject } from '../../../schemas/src/endpoints/objects';
import { serve, type Route } from '../http/router';
import { DomainError } from '../util/errors';
import { ObjectTooLargeError, type ObjectStore } from '../../../shared/src/objects';

export function objectRoutes(objects: ObjectStore, limit = MAX_UPLOAD_BYTES): Route[] {
  return [
    serve(uploadObject, async ({ req }) => {
      try {
        return await objects.putStream(req, limit);
      } catch (e) {
        if (e instanceof ObjectTooLargeError) {
          req.resume();
          throw new DomainError(413, 'body_too_large', `upload exceeds ${limit} bytes`);
        }
        throw e;
      }
    }),
  ];
}
