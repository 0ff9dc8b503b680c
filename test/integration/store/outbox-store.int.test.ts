import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAlertStore } from '../../../server/src/pipeline/store/alert-store.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import type { NewOutboxEntry } from '../../../server/src/domain/alerts/outbox-entry.js';
import { createOutboxStore, type OutboxStore } from '../../../server/src/pipeline/store/outbox-store.js';
import { createReceiverStore } from '../../../server/src/pipeline/store/receiver-store.js';
import { makeTempDir, type TempDir } from './temp-db.js';

const T0 = 1_780_000_000_000;
const entry = (id: string, groupKey: string, seq: number, receiverId = 'r1'): NewOutboxEntry => ({
  id,
  receiverId,
  groupKey,
  seq,
  body: `{"n":"${id}"}`,
  createdAtMs: T0 + seq,
});

describe('webhook outbox store', () => {
  let tmp: TempDir;
  let file: string;
  let db: Database;
  let outbox: OutboxStore;
  beforeEach(() => {
    tmp = makeTempDir();
    file = tmp.path('headroom.db');
    db = openDatabase(file);
    outbox = createOutboxStore(db);
  });
  afterEach(() => {
    closeDatabase(db);
    tmp.remove();
  });

  it('hands out only the head of each group, so a group is sent in order even while its head is retried', () => {
    outbox.enqueue([entry('a1', 'g-a', 1), entry('a2', 'g-a', 2), entry('b1', 'g-b', 1), entry('c1', 'g-a', 1, 'r2')]);
    expect(outbox.due(T0 + 10, 100).map((e) => e.id)).toEqual(['a1', 'b1', 'c1']);
    outbox.markRetry('a1', 'connection refused', T0 + 5_000);
    // a2 waits behind a1, though a2 itself is due.
    expect(outbox.due(T0 + 10, 100).map((e) => e.id)).toEqual(['b1', 'c1']);
    expect(outbox.due(T0 + 5_000, 100).map((e) => e.id)).toEqual(['b1', 'c1', 'a1']);
    outbox.markDelivered('a1', T0 + 5_001);
    expect(outbox.due(T0 + 5_001, 100).map((e) => e.id)).toEqual(['b1', 'c1', 'a2']);
    expect(outbox.get('a1')).toMatchObject({ state: 'delivered', attempts: 2, lastError: null, doneAtMs: T0 + 5_001 });
  });

  it('keeps dead letters with their last error, and counts what is pending', () => {
    outbox.enqueue([entry('x1', 'g', 1), entry('x2', 'g', 2)]);
    expect(outbox.pendingStats()).toEqual({ pending: 2, oldestCreatedAtMs: T0 + 1 });
    outbox.markDead('x1', 'HTTP 500 for 24 h', T0 + 86_400_000);
    expect(outbox.list('dead', 10)).toMatchObject([{ id: 'x1', lastError: 'HTTP 500 for 24 h', attempts: 1 }]);
    expect(outbox.pendingStats()).toEqual({ pending: 1, oldestCreatedAtMs: T0 + 2 });
    // The next of the group moves up once its head is dead.
    expect(outbox.due(T0 + 100, 10).map((e) => e.id)).toEqual(['x2']);
    expect(outbox.nextSeq('r1', 'g')).toBe(3);
    expect(outbox.nextSeq('r1', 'new-group')).toBe(1);
  });

  it('survives a reopen with everything it acknowledged, and prunes only delivered entries', () => {
    outbox.enqueue([entry('p1', 'g', 1), entry('p2', 'g', 2), entry('p3', 'g', 3)]);
    outbox.markDelivered('p1', T0 + 10);
    outbox.markDead('p2', 'gone', T0 + 20);
    closeDatabase(db);
    db = openDatabase(file);
    outbox = createOutboxStore(db);
    expect(outbox.list(null, 10).map((e) => [e.id, e.state])).toEqual([
      ['p3', 'pending'],
      ['p2', 'dead'],
      ['p1', 'delivered'],
    ]);
    expect(outbox.pruneDelivered(T0 + 1_000)).toBe(1);
    expect(outbox.list(null, 10).map((e) => e.id)).toEqual(['p3', 'p2']);
  });

  it('refuses a second notification with the same id (a webhook-id names one notification)', () => {
    outbox.enqueue([entry('same', 'g', 1)]);
    expect(() => outbox.enqueue([entry('same', 'g', 2)])).toThrow(/UNIQUE/);
    expect(outbox.list(null, 10)).toHaveLength(1);
  });

  it('commits alert states, group timers and outbox entries together, or none of them', () => {
    const alerts = createAlertStore(db, {
      rules: z.array(z.string()).parse,
      state: z.object({ fp: z.string() }).parse,
      group: z.object({ at: z.number() }).parse,
    });
    expect(() =>
      alerts.transaction(() => {
        alerts.replaceStates([{ fingerprint: 'f1', state: { fp: 'f1' } }], T0);
        alerts.replaceGroups([{ receiverId: 'r1', groupKey: 'g', group: { at: T0 } }]);
        outbox.enqueue([entry('t1', 'g', 1)]);
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(alerts.loadStates()).toEqual([]);
    expect(alerts.loadGroups()).toEqual([]);
    expect(outbox.list(null, 10)).toEqual([]);
    alerts.transaction(() => {
      alerts.replaceStates([{ fingerprint: 'f1', state: { fp: 'f1' } }], T0);
      outbox.enqueue([entry('t1', 'g', 1)]);
    });
    expect(alerts.loadStates()).toEqual([{ fp: 'f1' }]);
    expect(outbox.get('t1')?.state).toBe('pending');
  });

  it('stores rules and receivers as validated JSON, naming a row that no longer parses', () => {
    const alerts = createAlertStore(db, { rules: z.array(z.string()).parse, state: z.unknown().parse, group: z.unknown().parse });
    expect(alerts.getRules()).toBeNull();
    alerts.putRules(['r'], T0);
    expect(alerts.getRules()).toEqual(['r']);
    const receivers = createReceiverStore(db, z.object({ url: z.string().url() }).parse);
    receivers.put('w1', { url: 'http://127.0.0.1:9/hook' }, T0);
    expect(receivers.get('w1')).toEqual({ url: 'http://127.0.0.1:9/hook' });
    db.prepare("UPDATE webhook_receivers SET body = '{\"url\": 5}' WHERE id = 'w1'").run();
    expect(() => receivers.list()).toThrow(/webhook_receivers row w1/);
    expect(receivers.remove('w1')).toBe(true);
    expect(receivers.remove('w1')).toBe(false);
  });
});
