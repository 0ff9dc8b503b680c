import { expect } from 'vitest';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import {
  createDeliveryWorker,
  type DeliveryLog,
  type DeliveryWorker,
  type DeliveryWorkerDeps,
} from '../../../server/src/services/alerts/delivery.js';
import type { DeliveryEvent, WebhookTarget } from '../../../server/src/services/alerts/ports.js';
import { generateSecret } from '../../../server/src/services/alerts/signing.js';
import type { AlertState } from '../../../server/src/domain/alerts/alert-state.js';
import { fingerprint } from '../../../server/src/domain/alerts/fingerprint.js';
import { groupKeyOf } from '../../../server/src/domain/alerts/group-key.js';
import { sortedLabels } from '../../../server/src/domain/alerts/labels.js';
import { buildWebhookMessage, encodeWebhookMessage } from '../../../server/src/domain/alerts/webhook-message.js';
import { deliveryMetrics } from '../../../server/src/outputs/metrics/delivery-metrics.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import type { NewOutboxEntry } from '../../../server/src/domain/alerts/outbox-entry.js';
import { createOutboxStore, type OutboxStore } from '../../../server/src/pipeline/store/outbox-store.js';
import { parseExposition, type Exposition } from '../helpers/exposition.js';
import { makeTempDir, type TempDir } from '../store/temp-db.js';
import type { ReceivedRequest } from './test-receiver.js';

/** Small numbers so a fault case runs in a second or two. */
export const FAST = { timeoutMs: 300, giveUpAfterMs: 60_000, backoff: { baseMs: 20, maxMs: 200, floorMs: 20 }, pollMs: 100 } as const;

/** A real SQLite outbox in a temp folder, a registry with the delivery metrics, and workers over them. */
export class DeliveryHarness {
  readonly tmp: TempDir = makeTempDir('headroom-delivery-');
  readonly file = this.tmp.path('headroom.db');
  db: Database = openDatabase(this.file);
  outbox: OutboxStore = createOutboxStore(this.db);
  readonly registry = new Registry();
  readonly events: DeliveryEvent[] = [];
  private readonly metrics = deliveryMetrics(this.registry, { pendingStats: () => this.outbox.pendingStats(), nowMs: Date.now });
  /** What workers logged at error level (dead letters, outbox write failures). */
  readonly errors: string[] = [];
  private readonly workers: DeliveryWorker[] = [];
  private readonly log: DeliveryLog = { info: () => undefined, warn: () => undefined, error: (_, msg) => void this.errors.push(msg) };

  /** A worker over this outbox; `targets` may change while it runs (delete = remove the key). */
  worker(targets: Map<string, WebhookTarget>, over: Partial<DeliveryWorkerDeps> = {}): DeliveryWorker {
    const worker = createDeliveryWorker({
      ...FAST,
      // The test receivers listen on loopback.
      policy: { allowPrivate: true },
      outbox: this.outbox,
      target: (id) => targets.get(id) ?? null,
      nowMs: Date.now,
      onEvent: (e) => {
        this.events.push(e);
        this.metrics.onEvent(e);
      },
      log: this.log,
      ...over,
    });
    this.workers.push(worker);
    return worker;
  }

  /** "Crash": the connection goes away with nothing marked; a new one opens on the same file. */
  crashAndReopen(): void {
    this.db.close();
    this.db = openDatabase(this.file);
    this.outbox = createOutboxStore(this.db);
  }

  async exposition(): Promise<Exposition> {
    return parseExposition(await this.registry.metrics());
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    closeDatabase(this.db);
    this.tmp.remove();
  }
}

export function target(id: string, url: string, secrets = [generateSecret()]): WebhookTarget {
  return { id, name: `receiver ${id}`, url, secrets };
}

/**
 * `perGroup` notifications in each of `groups` groups for one receiver, in Alertmanager's body
 * format, with non-ASCII text so "byte for byte" means something. Seq n of a group is its n-th.
 */
export function notifications(receiverId: string, groups: number, perGroup: number, createdAtMs = Date.now()): NewOutboxEntry[] {
  const out: NewOutboxEntry[] = [];
  for (let seq = 1; seq <= perGroup; seq++) {
    for (let g = 0; g < groups; g++) {
      const groupLabels = sortedLabels({ alertname: 'HeadroomSellableCapacity', hall: `hall-${g}` });
      const groupKey = groupKeyOf({ matchers: [] }, groupLabels);
      const labels = sortedLabels({ ...groupLabels, severity: 'info', site: 'abilene' });
      const state: AlertState = {
        fingerprint: fingerprint(labels),
        labels,
        annotations: { summary: `40 MW sellable for 6 h — worth $167M a month (update ${seq}) ⚡` },
        status: 'firing',
        activeSinceMs: createdAtMs,
        firedAtMs: createdAtMs,
        resolvedAtMs: null,
        value: 40e6,
        updatedAtMs: createdAtMs,
      };
      const body = encodeWebhookMessage(
        buildWebhookMessage({ receiverName: receiverId, groupKey, groupLabels, alerts: [state], externalUrl: 'http://headroom.test' }),
      );
      out.push({ id: `msg_${receiverId}_${g}_${seq}`, receiverId, groupKey, seq, body, createdAtMs });
    }
  }
  return out;
}

/** Polls until `check` holds, failing with `what` after `timeoutMs` (generous: the machine may be busy). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every request verified with the independent `standardwebhooks` package, for each secret. */
export function expectAllVerify(requests: readonly ReceivedRequest[], secrets: readonly string[]): void {
  for (const secret of secrets) {
    const wh = new Webhook(secret);
    for (const r of requests) expect(() => wh.verify(r.body, r.headers)).not.toThrow();
  }
}

export interface DeliveryCount {
  requests: number;
  distinct: number;
  duplicates: number;
}

/**
 * The at-least-once contract: every notification arrived, byte for byte; a repeat carries the same
 * webhook-id and body; after dedupe by webhook-id each arrived once; within a group, no
 * notification arrived before an earlier one of its group had been delivered.
 */
export function expectDeliveredOnceInOrder(sent: readonly NewOutboxEntry[], requests: readonly ReceivedRequest[]): DeliveryCount {
  const byId = new Map(sent.map((e) => [e.id, e]));
  const firstBody = new Map<string, string>();
  const arrivals = new Map<string, number[]>();
  for (const r of requests) {
    const entry = byId.get(r.webhookId);
    expect(entry, `unknown webhook-id ${r.webhookId}`).toBeDefined();
    if (!entry) continue;
    expect(r.body.equals(Buffer.from(entry.body, 'utf8'))).toBe(true);
    expect(r.groupKey).toBe(entry.groupKey);
    expect(firstBody.get(r.webhookId) ?? r.body.toString('utf8')).toBe(r.body.toString('utf8'));
    firstBody.set(r.webhookId, r.body.toString('utf8'));
    arrivals.set(r.groupKey, [...(arrivals.get(r.groupKey) ?? []), entry.seq]);
  }
  expect(new Set(firstBody.keys())).toEqual(new Set(byId.keys()));
  for (const [groupKey, seqs] of arrivals) {
    // Repeats of one notification may follow it; a later one never comes before it.
    expect(seqs, groupKey).toEqual([...seqs].sort((a, b) => a - b));
    const expected = sent
      .filter((e) => e.groupKey === groupKey)
      .map((e) => e.seq)
      .sort((a, b) => a - b);
    expect([...new Set(seqs)], groupKey).toEqual(expected);
  }
  return { requests: requests.length, distinct: firstBody.size, duplicates: requests.length - firstBody.size };
}
