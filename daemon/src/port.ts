/**
 * The daemon's port across restarts: `MLFLOW_TRACKING_URI` exported from `mlops env` names a port,
 * so the daemon asks for its previous one first (recorded in `.mlops/port.json`) and takes a free
 * one only when that is taken, recording the change so `mlops env` can say the export went stale.
 */
import { readPortRecord, writePortRecord } from '../../shared/src/daemon-port';

/** Errors that mean "this port is not available", as opposed to a broken network stack. */
const UNAVAILABLE = new Set(['EADDRINUSE', 'EACCES']);

/**
 * Listens on `requested` when given (an explicit `--port` is not second-guessed), else on the
 * recorded port, else on a free one; returns the port and records it.
 */
export async function listenKeepingPort(listen: (port: number) => Promise<number>, file: string, requested?: number): Promise<number> {
  if (requested !== undefined && requested !== 0) {
    const port = await listen(requested);
    writePortRecord(file, { port });
    return port;
  }
  const previous = readPortRecord(file)?.port;
  if (previous !== undefined) {
    try {
      const port = await listen(previous);
      writePortRecord(file, { port });
      return port;
    } catch (e) {
      if (!UNAVAILABLE.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  const port = await listen(0);
  writePortRecord(file, previous === undefined ? { port } : { port, previous_port: previous, changed_at: new Date().toISOString() });
  return port;
}
