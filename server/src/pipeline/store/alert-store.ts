import type { AlertTransition } from '../../domain/alerts/alert-state.js';
import type { Database } from './db.js';
import { parseStored, type Parse } from './stored-json.js';
import { writeTransaction } from './write-transaction.js';

/** Stored labels: an object of strings, as they were written. */
function stringMap(v: unknown): AlertTransition['labels'] {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw new Error('labels: not an object of strings');
  return v as AlertTransition['labels'];
}

/** Alert rules, alert instance states and notification group timers (migration 3); fits services/alerts/ports.ts `AlertStatePort`. */
export function createAlertStore<Rules, State, Group>(
  db: Database,
  parse: { rules: Parse<Rules>; state: Parse<State>; group: Parse<Group> },
) {
  const rules = db.prepare<[], string>('SELECT body FROM alert_rules WHERE id = 1').pluck();
  const upsertRules = db.prepare<[string, number]>(
    `INSERT INTO alert_rules (id, body, updated_at_ms) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at_ms = excluded.updated_at_ms`,
  );
  const states = db.prepare<[], { fingerprint: string; body: string }>('SELECT fingerprint, body FROM alert_states ORDER BY fingerprint');
  const clearStates = db.prepare('DELETE FROM alert_states');
  const insertState = db.prepare<[string, string, number]>('INSERT INTO alert_states (fingerprint, body, updated_at_ms) VALUES (?, ?, ?)');
  const groups = db.prepare<[], { receiver_id: string; group_key: string; body: string }>(
    'SELECT receiver_id, group_key, body FROM notify_groups',
  );
  const clearGroups = db.prepare('DELETE FROM notify_groups');
  const insertGroup = db.prepare<[string, string, string]>('INSERT INTO notify_groups (receiver_id, group_key, body) VALUES (?, ?, ?)');
  const insertTransition = db.prepare<[number, string, string, string, string, number | null]>(
    'INSERT INTO alert_transitions (at_ms, fingerprint, from_status, to_status, labels, value) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const pruneTransitions = db.prepare<[number]>('DELETE FROM alert_transitions WHERE at_ms < ?');
  const transitionsIn = db.prepare<
    [number, number, number],
    { at_ms: number; fingerprint: string; from_status: string; to_status: string; labels: string; value: number | null }
  >(
    `SELECT * FROM (SELECT rowid AS seq, * FROM alert_transitions WHERE at_ms >= ? AND at_ms <= ? ORDER BY at_ms DESC, seq DESC LIMIT ?)
     ORDER BY at_ms, seq`,
  );
  const transaction = <T>(work: () => T): T => writeTransaction(db, work)();

  return {
    getRules() {
      const body = rules.get();
      return body === undefined ? null : parseStored('alert_rules', '1', body, parse.rules);
    },
    putRules: writeTransaction(db, (value: Rules, nowMs: number) => void upsertRules.run(JSON.stringify(value), nowMs)),
    loadStates: () => states.all().map((r) => parseStored('alert_states', r.fingerprint, r.body, parse.state)),
    // A handful to a few thousand instances: rewriting them whole keeps the table exactly the engine's view.
    replaceStates: writeTransaction(db, (next: ReadonlyArray<{ fingerprint: string; state: State }>, nowMs: number) => {
      clearStates.run();
      for (const { fingerprint, state } of next) insertState.run(fingerprint, JSON.stringify(state), nowMs);
    }),
    loadGroups: () =>
      groups.all().map((r) => ({
        receiverId: r.receiver_id,
        groupKey: r.group_key,
        group: parseStored('notify_groups', `${r.receiver_id}/${r.group_key}`, r.body, parse.group),
      })),
    replaceGroups: writeTransaction(db, (next: ReadonlyArray<{ receiverId: string; groupKey: string; group: Group }>) => {
      clearGroups.run();
      for (const g of next) insertGroup.run(g.receiverId, g.groupKey, JSON.stringify(g.group));
    }),
    /** Appends firings and resolutions; drops those older than `keepSinceMs`. */
    appendTransitions: writeTransaction(db, (next: readonly AlertTransition[], keepSinceMs: number) => {
      for (const t of next) insertTransition.run(t.atMs, t.fingerprint, t.from, t.to, JSON.stringify(t.labels), t.value);
      if (next.length > 0) pruneTransitions.run(keepSinceMs);
    }),
    /** The last `limit` transitions in [fromMs, toMs], oldest first. */
    transitions(fromMs: number, toMs: number, limit: number): AlertTransition[] {
      return transitionsIn.all(fromMs, toMs, limit).map((r) => ({
        atMs: r.at_ms,
        fingerprint: r.fingerprint,
        from: r.from_status as AlertTransition['from'],
        to: r.to_status as AlertTransition['to'],
        labels: parseStored('alert_transitions', r.fingerprint, r.labels, stringMap),
        value: r.value,
      }));
    },
    transaction,
  };
}
