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
  {
    version: 2,
    name: 'tracking, datasets and lineage',
    sql: `
      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running','finished','failed','killed')),
        start_time TEXT NOT NULL,
        end_time TEXT,
        exit_code INTEGER,
        command TEXT NOT NULL,
        git_commit TEXT,
        git_branch TEXT,
        git_dirty INTEGER NOT NULL DEFAULT 0,
        git_diff_sha256 TEXT,
        config_sha256 TEXT,
        config TEXT,
        environment TEXT NOT NULL
      );
      CREATE INDEX runs_experiment ON runs(experiment_id, seq);
      CREATE TABLE run_params (
        run_id TEXT NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
      -- Metric points: no foreign key or secondary index beyond what queries need, for ingest speed.
      CREATE TABLE run_metrics (
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        step INTEGER NOT NULL,
        timestamp REAL NOT NULL,
        value REAL
      );
      CREATE INDEX run_metrics_series ON run_metrics(run_id, key, step);
      -- Latest value and range per metric, kept current on write so listings never scan points.
      CREATE TABLE run_metric_summary (
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        last REAL,
        step INTEGER NOT NULL,
        min REAL,
        max REAL,
        count INTEGER NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE run_artifacts (
        run_id TEXT NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (run_id, path)
      ) WITHOUT ROWID;
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE dataset_versions (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        version INTEGER NOT NULL,
        parent_version INTEGER,
        fingerprint TEXT NOT NULL,
        file_count INTEGER NOT NULL,
        total_bytes INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (dataset_id, version)
      );
      CREATE TABLE dataset_files (
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (version_id, path)
      ) WITHOUT ROWID;
      CREATE INDEX dataset_files_sha ON dataset_files(sha256);
      CREATE TABLE run_datasets (
        run_id TEXT NOT NULL REFERENCES runs(id),
        dataset TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (run_id, dataset)
      ) WITHOUT ROWID;
      CREATE TABLE model_version_datasets (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        dataset TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (model_version_id, dataset)
      ) WITHOUT ROWID;
      -- size + mtime + inode → sha256, so an unchanged file is never read again.
      CREATE TABLE file_hash_cache (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime TEXT NOT NULL,
        ino TEXT NOT NULL,
        sha256 TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'store identity',
    // The store's id is also written into objects/STORE_ID: objects that belong to another (lost)
    // database are never garbage-collected by a new one.
    sql: `
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      INSERT INTO store_meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
    `,
  },
  {
    version: 4,
    name: 'deployments',
    sql: `
      -- What the user asked for (running or stopped), so deployments come back after a daemon restart;
      -- the serving token and the port a "port: 0" deployment got, so its URL stays the same.
      CREATE TABLE deployments (
        name TEXT PRIMARY KEY,
        desired TEXT NOT NULL CHECK (desired IN ('running','stopped')),
        token TEXT,
        port INTEGER,
        version INTEGER,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'MLflow compatibility: lifecycle, experiment and model tags, run inputs, logged models',
    sql: `
      -- MLflow deletes experiments and runs softly (restorable); our own listings keep showing them.
      ALTER TABLE experiments ADD COLUMN lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted'));
      ALTER TABLE experiments ADD COLUMN updated_at TEXT;
      CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
      ) WITHOUT ROWID;
      ALTER TABLE runs ADD COLUMN lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active','deleted'));
      ALTER TABLE runs ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
      CREATE TABLE run_inputs (
        run_id TEXT NOT NULL REFERENCES runs(id),
        digest TEXT NOT NULL,
        name TEXT NOT NULL,
        dataset TEXT NOT NULL,
        tags TEXT NOT NULL,
        PRIMARY KEY (run_id, name, digest)
      ) WITHOUT ROWID;
      CREATE TABLE model_tags (
        model_id INTEGER NOT NULL REFERENCES models(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
      ) WITHOUT ROWID;
      -- Where an MLflow client said a version came from (runs:/…, models:/…, mlflow-artifacts:/…).
      ALTER TABLE model_versions ADD COLUMN source_uri TEXT;
      -- MLflow 3's logged models: a model's artifacts before (or without) registration.
      CREATE TABLE logged_models (
        id TEXT PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        name TEXT NOT NULL,
        model_type TEXT NOT NULL DEFAULT '',
        source_run_id TEXT,
        status TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        params TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE logged_model_artifacts (
        model_id TEXT NOT NULL REFERENCES logged_models(id),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (model_id, path)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'monitoring: slices, predictions, feedback, windows, alerts',
    sql: `
      -- One row per deployment, time slice and version: counts and a sparse latency histogram (JSON
      -- [bucket, count] pairs), never a row per request. Flushes of one slice add up.
      CREATE TABLE mon_slices (
        deployment TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        client_errors INTEGER NOT NULL,
        predictions INTEGER NOT NULL,
        latency TEXT NOT NULL,
        in_flight_max INTEGER NOT NULL,
        cpu_pct REAL,
        rss_mb REAL,
        PRIMARY KEY (deployment, start_ms, version)
      ) WITHOUT ROWID;
      -- Predictions kept for monitoring.horizon and at most monitoring.max_predictions per deployment.
      CREATE TABLE mon_predictions (
        id INTEGER PRIMARY KEY,
        deployment TEXT NOT NULL,
        request_id TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        version INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        status INTEGER NOT NULL,
        outputs TEXT NOT NULL,
        inputs TEXT,
        -- The value compared with feedback: a number when it is one (predicted_num), else text.
        predicted TEXT,
        predicted_num REAL,
        UNIQUE (deployment, request_id)
      );
      CREATE INDEX mon_predictions_time ON mon_predictions (deployment, time_ms);
      CREATE INDEX mon_predictions_request ON mon_predictions (request_id);
      CREATE TABLE mon_feedback (
        prediction_id INTEGER PRIMARY KEY REFERENCES mon_predictions(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        label_num REAL,
        correct INTEGER,
        received_ms INTEGER NOT NULL
      );
      -- Per-window results for the dashboards: the figures and the drift per feature (JSON).
      CREATE TABLE mon_windows (
        id INTEGER PRIMARY KEY,
        deployment TEXT NOT NULL,
        version INTEGER,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        predictions INTEGER NOT NULL,
        drifted INTEGER NOT NULL DEFAULT 0,
        result TEXT NOT NULL
      );
      CREATE INDEX mon_windows_time ON mon_windows (deployment, end_ms);
      -- Binned reference vs window distribution per feature of a window (JSON).
      CREATE TABLE mon_distributions (
        window_id INTEGER NOT NULL REFERENCES mon_windows(id) ON DELETE CASCADE,
        feature TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (window_id, feature)
      ) WITHOUT ROWID;
      CREATE TABLE mon_alerts (
        id INTEGER PRIMARY KEY,
        deployment TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('latency','error_rate','drift','accuracy')),
        state TEXT NOT NULL CHECK (state IN ('open','resolved')),
        opened_at TEXT NOT NULL,
        resolved_at TEXT,
        updated_at TEXT NOT NULL,
        version INTEGER,
        evidence TEXT NOT NULL,
        latest TEXT,
        acknowledged_by TEXT,
        acknowledged_at TEXT,
        silenced_until TEXT
      );
      -- At most one open alert per deployment and kind, whatever the application code does.
      CREATE UNIQUE INDEX mon_alerts_one_open ON mon_alerts (deployment, kind) WHERE state = 'open';
      CREATE INDEX mon_alerts_time ON mon_alerts (opened_at);
      CREATE TABLE mon_silences (deployment TEXT PRIMARY KEY, until_ms INTEGER NOT NULL, actor TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: "Latest metric by MLflow's rule in the summary, indexed by key and value for metric searches",
    sql: `
      -- The summary's latest point is the one with the highest step, then the latest timestamp, then
      -- the largest value (NaN, stored as NULL, lowest): MLflow's rule, so every reader shares it.
      ALTER TABLE run_metric_summary ADD COLUMN last_timestamp REAL NOT NULL DEFAULT 0;
      UPDATE run_metric_summary AS s SET (last, step, last_timestamp) = (
        SELECT m.value, m.step, m.timestamp FROM run_metrics m WHERE m.run_id = s.run_id AND m.key = s.key
        ORDER BY m.step DESC, m.timestamp DESC, m.value DESC LIMIT 1)
      WHERE EXISTS (SELECT 1 FROM run_metrics m WHERE m.run_id = s.run_id AND m.key = s.key);
      -- A metric filter (metrics.rmse < 0.05) reads the matching runs from this index instead of
      -- probing every run of the experiment.
      CREATE INDEX run_metric_summary_key_last ON run_metric_summary(key, last);
    `,
  },
  {
    version: 8,
    name: 'safety nets: shadow comparison sums, automatic rollbacks',
    sql: `
      CREATE TABLE shadow_stats (
        deployment TEXT NOT NULL,
        model TEXT NOT NULL,
        primary_version INTEGER NOT NULL,
        shadow_version INTEGER NOT NULL,
        compared INTEGER NOT NULL DEFAULT 0,
        agreed INTEGER NOT NULL DEFAULT 0,
        score_diff_sum REAL NOT NULL DEFAULT 0,
        score_count INTEGER NOT NULL DEFAULT 0,
        dropped INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        primary_buckets TEXT NOT NULL,
        shadow_buckets TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (deployment, primary_version, shadow_version)
      ) WITHOUT ROWID;
      CREATE INDEX shadow_stats_model ON shadow_stats (model, shadow_version);
      -- One automatic rollback per model version, ever: the row is the guard.
      CREATE TABLE auto_rollbacks (
        model TEXT NOT NULL,
        version INTEGER NOT NULL,
        deployment TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        to_version INTEGER,
        at TEXT NOT NULL,
        PRIMARY KEY (model, version)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'Promotion gates: the results of each evaluation, kept with the version',
    sql: `
      -- One row per evaluation (mlops check through the daemon, or a promotion to Production).
      -- production_version is what the candidate was compared against; the promotion commits only
      -- if it is still Production. forced/reason: promoted despite a failure (mlops models promote --force).
      CREATE TABLE gate_runs (
        id INTEGER PRIMARY KEY,
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        production_version INTEGER,
        evaluated_at TEXT NOT NULL,
        passed INTEGER NOT NULL CHECK (passed IN (0,1)),
        exit_code INTEGER NOT NULL,
        forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0,1)),
        reason TEXT NOT NULL DEFAULT '',
        report TEXT NOT NULL
      );
      CREATE INDEX gate_runs_by_version ON gate_runs(model_version_id, id);
    `,
  },
  {
    version: 10,
    name: 'Alerts: a rollback_failed kind, raised when an automatic rollback has no earlier version',
    sql: `
      -- SQLite cannot widen a CHECK in place: rebuild mon_alerts (nothing references it) and its indexes.
      CREATE TABLE mon_alerts_new (
        id INTEGER PRIMARY KEY,
        deployment TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('latency','error_rate','drift','accuracy','rollback_failed')),
        state TEXT NOT NULL CHECK (state IN ('open','resolved')),
        opened_at TEXT NOT NULL,
        resolved_at TEXT,
        updated_at TEXT NOT NULL,
        version INTEGER,
        evidence TEXT NOT NULL,
        latest TEXT,
        acknowledged_by TEXT,
        acknowledged_at TEXT,
        silenced_until TEXT
      );
      INSERT INTO mon_alerts_new SELECT id, deployment, kind, state, opened_at, resolved_at, updated_at, version, evidence, latest,
        acknowledged_by, acknowledged_at, silenced_until FROM mon_alerts;
      DROP TABLE mon_alerts;
      ALTER TABLE mon_alerts_new RENAME TO mon_alerts;
      CREATE UNIQUE INDEX mon_alerts_one_open ON mon_alerts (deployment, kind) WHERE state = 'open';
      CREATE INDEX mon_alerts_time ON mon_alerts (opened_at);
    `,
  },
  {
    version: 11,
    name: 'Predictions: no index on request_id alone',
    sql: `
      -- Every prediction paid a second random-key index insert for it (about a fifth of storing one);
      -- a lookup without a deployment now goes through (deployment, request_id), deployment by deployment.
      DROP INDEX mon_predictions_request;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
