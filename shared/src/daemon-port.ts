/** Reading and writing `.mlops/port.json` (schemas/src/daemon-port.ts): the daemon writes, `mlops env` reads. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { daemonPortRecord, type DaemonPortRecord } from '../../schemas/src/daemon-port';

/** The recorded port, or undefined when there is none or the file is not ours to trust. */
export function readPortRecord(file: string): DaemonPortRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = daemonPortRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the record atomically (a reader never sees half a file). */
export function writePortRecord(file: string, record: DaemonPortRecord): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
