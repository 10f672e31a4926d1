/** The `deployments` table (migration 3 here; 4 is reserved for serving: renumber when security's 3 lands): desired state, serving token and remembered port per deployment. */
import { type Db } from '../store/db';

export interface DeploymentRow {
  name: string;
  desired: 'running' | 'stopped';
  token: string | null;
  port: number | null;
  version: number | null;
  updated_at: string;
}

export class DeploymentStore {
  private readonly getStmt;
  private readonly runningStmt;
  private readonly upsertStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT * FROM deployments WHERE name = ?');
    this.runningStmt = db.prepare("SELECT * FROM deployments WHERE desired = 'running' ORDER BY name");
    this.upsertStmt = db.prepare(`
      INSERT INTO deployments (name, desired, token, port, version, updated_at) VALUES (@name, @desired, @token, @port, @version, @updated_at)
      ON CONFLICT(name) DO UPDATE SET desired = excluded.desired, token = excluded.token, port = excluded.port,
        version = excluded.version, updated_at = excluded.updated_at`);
  }

  get(name: string): DeploymentRow | undefined {
    return this.getStmt.get(name) as DeploymentRow | undefined;
  }

  running(): DeploymentRow[] {
    return this.runningStmt.all() as DeploymentRow[];
  }

  save(row: Omit<DeploymentRow, 'updated_at'>): void {
    this.upsertStmt.run({ ...row, updated_at: new Date().toISOString() });
  }
}
