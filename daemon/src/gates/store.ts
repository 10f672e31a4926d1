/** The gate_runs table (migration 8): each evaluation of a version, kept with it. */
import { checkReportSchema, type CheckReport, type StoredGateRun } from '../../../schemas/src/gates';
import { type Db } from '../store/db';
import type Database from 'better-sqlite3';

interface RunRow {
  version: number;
  forced: number;
  reason: string;
  report: string;
}

export class GateRuns {
  private readonly insertStmt: Database.Statement;
  private readonly lastPerVersion: Database.Statement;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO gate_runs (model_version_id, production_version, evaluated_at, passed, exit_code, forced, reason, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // The newest run of each live version of the model, newest version first.
    this.lastPerVersion = db.prepare(`
      SELECT v.version AS version, g.forced AS forced, g.reason AS reason, g.report AS report
      FROM gate_runs g JOIN model_versions v ON v.id = g.model_version_id JOIN models m ON m.id = v.model_id
      WHERE m.name = ? AND v.removed_at IS NULL
        AND g.id = (SELECT MAX(id) FROM gate_runs WHERE model_version_id = v.id)
      ORDER BY v.version DESC`);
  }

  /** Call inside a transaction. */
  insert(versionRowId: number, r: CheckReport, forced: boolean, reason: string): void {
    this.insertStmt.run(versionRowId, r.production_version, r.evaluated_at, r.passed ? 1 : 0, r.exit_code, forced ? 1 : 0, reason, JSON.stringify(r));
  }

  lastRuns(model: string): { version: number; last: StoredGateRun }[] {
    return (this.lastPerVersion.all(model) as RunRow[]).map((row) => ({
      version: row.version,
      last: { ...checkReportSchema.parse(JSON.parse(row.report)), forced: row.forced === 1, reason: row.reason },
    }));
  }
}
