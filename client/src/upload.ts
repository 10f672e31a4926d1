/**
 * Sends a local file's content to the daemon (`POST /api/v1/objects`, streamed): the daemon never
 * opens a path a client names, so clients upload what they want stored and then refer to its hash.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { fillPath } from '../../schemas/src/endpoint';
import { uploadObject } from '../../schemas/src/endpoints/objects';
import { type UploadResponse } from '../../schemas/src/security';

export interface UploadTarget {
  port: number;
  token: string;
  actor: string;
}

/** Streams `file` to `POST /objects`; `onError` turns a refusal into the caller's error type. */
export async function uploadFile(to: UploadTarget, file: string, onError: (status: number, text: string) => Error): Promise<UploadResponse> {
  const st = await fsp.stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new Error(`${file}: no such file`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: to.port,
        method: uploadObject.method,
        path: fillPath(uploadObject),
        headers: {
          Authorization: `Bearer ${to.token}`,
          'X-Mlops-Actor': to.actor,
          'Content-Type': 'application/octet-stream',
          'Content-Length': st.size,
        },
        timeout: uploadObject.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(onError(status, text));
          else resolve(uploadObject.response.parse(JSON.parse(text)));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`daemon did not accept the upload of ${file} in time`)));
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
}
