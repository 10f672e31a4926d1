/**
 * The bounded log of a serving process (`.mlops/serving/<deployment>.log`): appended as output
 * arrives and rotated once it passes `maxBytes` (the previous file kept as `.log.1`), so a chatty or
 * long-lived endpoint never fills the disk. Writes are small and rare (stderr lines), so they are
 * synchronous: the order of lines is the order they were written.
 */
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';

export const SERVING_LOG_MAX_BYTES = 1024 * 1024;

export class RotatingLog {
  private fd: number | undefined;
  private size: number;

  constructor(
    readonly path: string,
    private readonly maxBytes = SERVING_LOG_MAX_BYTES,
  ) {
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined) return;
    if (this.size + chunk.length > this.maxBytes && this.size > 0) this.rotate();
    writeSync(this.fd, chunk);
    this.size += chunk.length;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }

  end(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
