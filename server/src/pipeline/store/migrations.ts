import type { Database } from './db.js';

/**
 * The schema, as an ordered list of steps. Each step runs once, in its own transaction, and is
 * recorded in `schema_migrations`. Never edit a released step: append a new one.
 *
 * Storage choices (why the columns look the way they do):
 * - Rollup tables are keyed scope-major, `PRIMARY KEY (scope_id, ts)` WITHOUT ROWID, so one
 *   scope's history is one contiguous key range: a 30-day query is a single range scan.
 *   `scope_id` has no FOREIGN KEY clause on purpose: ids come only from interning, and the
 *   per-row parent lookup would cost 20–30 % of insert CPU.
 * - Rollup values are stored as small integers, which SQLite writes in 0–4 bytes:
 *   utilization in per-mille (0..1000), watts as whole watts, GPU counts as centi-GPUs
 *   (count × 100, so fractional bucket means keep two decimals). NULL = not reported.
 * - `gpu_hourly` keys one row per (chunk of 256 GPU slots, hour) by a computed rowid,
 *   `id = chunk × 2^24 + hour index`, chunk-major, so one GPU's history is one rowid range and
 *   the blobs live in the table b-tree itself (no secondary index holding copies of keys).
 * - `ingest_journal.seq` is AUTOINCREMENT so a sequence number is never reused after the
 *   journal is truncated: a snapshot's `journalSeq` stays meaningful forever.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const rollupTable = (name: string): string => `
  CREATE TABLE ${name} (
    scope_id  INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    util_pm   INTEGER,
    it_w      INTEGER,
    fac_w     INTEGER,
    busy_c    INTEGER,
    held_c    INTEGER,
    idle_c    INTEGER,
    sold_c    INTEGER,
    down_c    INTEGER,
    unknown_c INTEGER,
    PRIMARY KEY (scope_id, ts)
  ) WITHOUT ROWID;`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE scopes (
        id  INTEGER PRIMARY KEY,
        key TEXT UNIQUE NOT NULL
      );
      ${rollupTable('rollup_1m')}
      ${rollupTable('rollup_5m')}

      CREATE TABLE gpu_hourly (
        id    INTEGER PRIMARY KEY,
        chunk INTEGER GENERATED ALWAYS AS (id >> 24) VIRTUAL,
        ts    INTEGER GENERATED ALWAYS AS ((id & 16777215) * 3600) VIRTUAL,
        util  BLOB NOT NULL,
        power BLOB NOT NULL
      );

      CREATE TABLE gpu_slots (
        slot      INTEGER PRIMARY KEY,
        uuid      TEXT UNIQUE NOT NULL,
        host      TEXT NOT NULL,
        gpu_index INTEGER NOT NULL,
        model     TEXT
      );

      CREATE TABLE unplaced_nodes (
        seq   INTEGER PRIMARY KEY,
        host  TEXT UNIQUE NOT NULL,
        model TEXT
      );

      CREATE TABLE fleet_snapshot (
        name TEXT PRIMARY KEY,
        data BLOB NOT NULL
      );

      CREATE TABLE ingest_journal (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at_ms INTEGER NOT NULL,
        source         TEXT NOT NULL,
        batch          TEXT NOT NULL
      );

      CREATE TABLE ingest_idempotency (
        key            TEXT PRIMARY KEY,
        seq            INTEGER NOT NULL,
        received_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX ingest_idempotency_received ON ingest_idempotency (received_at_ms);
    `,
  },
  {
    // Contracts and the price book (issue 3). `contracts.id` is AUTOINCREMENT so a deleted
    // contract's id never names another one. `body` holds the remaining terms as JSON
    // (capacity, start, end, monthlyPriceUsd, ramp, noticeDays). `contract_pods` records which
    // pods each contract is delivered on; deleting a contract deletes its rows. The price book
    // is one JSON row (id 1); no row means the built-in default.
    version: 2,
    name: 'contracts and price book',
    sql: `
      CREATE TABLE contracts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        customer      TEXT NOT NULL,
        body          TEXT NOT NULL CHECK (json_valid(body)),
        status        TEXT NOT NULL CHECK (status IN ('active', 'ended', 'terminated')),
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );

      CREATE TABLE contract_pods (
        contract_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
        pod_index   INTEGER NOT NULL CHECK (pod_index >= 0),
        PRIMARY KEY (contract_id, pod_index)
      ) WITHOUT ROWID;

      CREATE TABLE price_book (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        body          TEXT NOT NULL CHECK (json_valid(body)),
        updated_at_ms INTEGER NOT NULL
      );
    `,
  },
  {
    // Alerts and webhooks (issue 5). `alert_states` holds every alert instance the engine
    // tracks (pending, firing, recently resolved) keyed by fingerprint, so a restart neither
    // forgets a firing alert nor fires it afresh, and `for` timers keep their start.
    // `webhook_outbox` is the durable outbox: a notification is written here, in the same
    // transaction as the alert states that caused it, before any attempt to send it; its `id`
    // is the `webhook-id` of every attempt. `seq` orders notifications of one group.
    // `notify_groups` keeps each receiver's group timers (group wait/interval/repeat).
    // Rules are one JSON row (id 1); no row means the built-in defaults.
    version: 3,
    name: 'alerts, webhook receivers and outbox',
    sql: `
      CREATE TABLE alert_rules (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        body          TEXT NOT NULL CHECK (json_valid(body)),
        updated_at_ms INTEGER NOT NULL
      );

      CREATE TABLE alert_states (
        fingerprint   TEXT PRIMARY KEY,
        body          TEXT NOT NULL CHECK (json_valid(body)),
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE webhook_receivers (
        id            TEXT PRIMARY KEY,
        body          TEXT NOT NULL CHECK (json_valid(body)),
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE notify_groups (
        receiver_id   TEXT NOT NULL,
        group_key     TEXT NOT NULL,
        body          TEXT NOT NULL CHECK (json_valid(body)),
        PRIMARY KEY (receiver_id, group_key)
      ) WITHOUT ROWID;

      CREATE TABLE webhook_outbox (
        id              TEXT PRIMARY KEY,
        receiver_id     TEXT NOT NULL,
        group_key       TEXT NOT NULL,
        seq             INTEGER NOT NULL,
        body            TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        created_at_ms   INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        done_at_ms      INTEGER
      );
      CREATE INDEX webhook_outbox_pending ON webhook_outbox (state, receiver_id, group_key, seq);
    `,
  },
  {
    version: 4,
    name: 'api tokens and the audit log',
    // Only a token's SHA-256 is kept: tokens are 256 random bits, so a fast hash is as strong as
    // a slow one against guessing, and checking one costs microseconds on every request.
    sql: `
      CREATE TABLE api_tokens (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        role           TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        hash           BLOB NOT NULL,
        created_at_ms  INTEGER NOT NULL,
        created_by     TEXT NOT NULL,
        last_used_ms   INTEGER,
        revoked_at_ms  INTEGER
      ) WITHOUT ROWID;

      CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms     INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT NOT NULL,
        status    INTEGER NOT NULL,
        detail    TEXT CHECK (detail IS NULL OR json_valid(detail))
      );
    `,
  },
  {
    // Planned internal demand (domain/capacity/demand-plan.ts). Days are ISO dates, `end_date`
    // inclusive and NULL for "until further notice" (named `*_date`: END is an SQL keyword).
    // AUTOINCREMENT, as contracts: a deleted plan's id never names another one.
    version: 5,
    name: 'demand plans',
    sql: `
      CREATE TABLE demand_plans (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        name          TEXT NOT NULL,
        gpus          INTEGER NOT NULL CHECK (gpus >= 1),
        start_date    TEXT NOT NULL,
        end_date      TEXT CHECK (end_date IS NULL OR end_date >= start_date),
        note          TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
    `,
  },
  {
    // Issue 16 item 4: a key remembers what it was first sent with (a SHA-256 of the request)
    // and what it answered, so a different body under it is refused and the same body gets the
    // first answer. Rows from before have NULLs: replayed as before (they expire within a day).
    version: 6,
    name: 'idempotency key digests',
    sql: `
      ALTER TABLE ingest_idempotency ADD COLUMN digest TEXT;
      ALTER TABLE ingest_idempotency ADD COLUMN samples INTEGER;
      ALTER TABLE ingest_idempotency ADD COLUMN gpus INTEGER;
    `,
  },
  {
    // Issue 16 item 11: a GPU swapped out of its slot stays known, with its successor and when.
    version: 7,
    name: 'gpu replacements',
    sql: `
      CREATE TABLE gpu_replacements (
        uuid        TEXT PRIMARY KEY,
        slot        INTEGER NOT NULL,
        host        TEXT NOT NULL,
        gpu_index   INTEGER NOT NULL,
        replaced_by TEXT NOT NULL,
        at_ms       INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    // Issue 17 item 9: the charts mark every alert firing and resolution in their range;
    // `alert_states` keeps only each alert's latest episode, resolved ones for a day.
    version: 8,
    name: 'alert transitions',
    sql: `
      CREATE TABLE alert_transitions (
        at_ms       INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status   TEXT NOT NULL CHECK (to_status IN ('firing', 'resolved')),
        labels      TEXT NOT NULL CHECK (json_valid(labels)),
        value       REAL
      );
      CREATE INDEX alert_transitions_at ON alert_transitions (at_ms);
    `,
  },
];

/**
 * Applies every step of `migrations` not yet recorded in `schema_migrations`, in version order,
 * each in an IMMEDIATE transaction (a second process opening the same file waits rather than
 * applying a step twice). Returns the versions applied by this call.
 * Throws when the file was written by a newer build (it records a version this build lacks).
 */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name    TEXT NOT NULL
  )`);
  const known = new Set(migrations.map((m) => m.version));
  const isApplied = db.prepare<[number], number>('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
  const newest = db.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck().get() ?? null;
  const newestKnown = Math.max(0, ...known);
  if (newest !== null && newest > newestKnown) {
    throw new Error(
      `${db.name}: database schema version ${newest} is newer than this build knows (${newestKnown}); ` +
        'run a newer Headroom build against it, or point this one at another file',
    );
  }

  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const migration of ordered) {
    if (isApplied.get(migration.version) !== undefined) continue;
    const apply = db.transaction(() => {
      // Re-checked inside the write lock: another process may have applied it meanwhile.
      if (isApplied.get(migration.version) !== undefined) return false;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }
  return applied;
}
