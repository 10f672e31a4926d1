/**
 * Numbered migrations of the store. Each runs once, in order, inside one transaction with the
 * `schema_migrations` row that records it. Never edit a released migration: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const STAGE_CHECK = "stage IN ('None','Staging','Production','Archived')";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log and model registry',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        before TEXT,
        after TEXT,
        reason TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX events_subject ON events(subject, seq);
      -- The audit log is append-only: the database itself refuses to rewrite history.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        next_version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE model_versions (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id),
        version INTEGER NOT NULL,
        stage TEXT NOT NULL CHECK (${STAGE_CHECK}),
        artifact_sha256 TEXT NOT NULL,
        artifact_size INTEGER NOT NULL,
        format TEXT NOT NULL,
        signature TEXT NOT NULL,
        description TEXT NOT NULL,
        tags TEXT NOT NULL,
        metrics TEXT NOT NULL,
        source_run_id TEXT,
        created_at TEXT NOT NULL,
        stage_changed_at TEXT NOT NULL,
        removed_at TEXT,
        UNIQUE (model_id, version)
      );
      -- At most one Production version per model, whatever the application code does.
      CREATE UNIQUE INDEX model_versions_one_production ON model_versions(model_id)
        WHERE stage = 'Production' AND removed_at IS NULL;
      CREATE TABLE model_aliases (
        model_id INTEGER NOT NULL REFERENCES models(id),
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (model_id, alias)
      );
      -- Production history: a stack that rollback walks back through.
      CREATE TABLE production_history (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES models(id),
        version INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        end_reason TEXT
      );
      CREATE INDEX production_history_model ON production_history(model_id, id);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
