/**
 * `POST /api/v1/objects`: clients send artifact content (streamed, size-capped) and get its hash,
 * which registrations and run artifacts then name. The daemon never opens a path a client names,
 * so a leaked token cannot turn it into a reader of the user's files.
 */
import { MAX_UPLOAD_BYTES, uploadResponse } from '../../../schemas/src/security';
import { uploadRoute, type Route } from '../http/router';
import { DomainError } from '../util/errors';
import { ObjectTooLargeError, type ObjectStore } from './objects';

export function objectRoutes(objects: ObjectStore, limit = MAX_UPLOAD_BYTES): Route[] {
  return [
    uploadRoute({
      method: 'POST',
      path: '/objects',
      response: uploadResponse,
      status: 201,
      maxBodyBytes: limit,
      handler: async ({ req }) => {
        try {
          return await objects.putStream(req, limit);
        } catch (e) {
          if (e instanceof ObjectTooLargeError) {
            req.resume();
            throw new DomainError(413, 'body_too_large', `upload exceeds ${limit} bytes`);
          }
          throw e;
        }
      },
    }),
  ];
}
