/**
 * What the alerts service and the delivery worker need from storage, declared here so they depend
 * on no adapter: the composition root passes the SQLite stores in (pipeline/store/alert-store.ts,
 * receiver-store.ts, outbox-store.ts), and they fit these shapes.
 */
import type { AlertTransition } from '../../domain/alerts/alert-state.js';
import type { NewOutboxEntry, OutboxEntry, OutboxState } from '../../domain/alerts/outbox-entry.js';

/** Where and how one webhook receiver is reached; the delivery worker's view of a receiver. */
export interface WebhookTarget {
  id: string;
  name: string;
  url: string;
  /** `whsec_…` secrets, newest first; every delivery is signed with each (rotation). */
  secrets: string[];
}

/** What happened to one delivery attempt, for metrics and logs. */
export type DeliveryEvent =
  | { kind: 'sent'; receiverId: string; id: string; attempts: number; ms: number }
  | { kind: 'retry'; receiverId: string; id: string; attempts: number; error: string; nextAttemptMs: number }
  | { kind: 'dead'; receiverId: string; id: string; attempts: number; error: string };

/** Alert rules, alert instance states and notification group timers (migration 3). */
export interface AlertStatePort<Rules, State, Group> {
  /** The saved rule set, or null when none was ever saved (the defaults apply). */
  getRules(): Rules | null;
  putRules(rules: Rules, nowMs: number): void;
  loadStates(): State[];
  /** Makes the stored states exactly `states` (keyed by fingerprint). */
  replaceStates(states: ReadonlyArray<{ fingerprint: string; state: State }>, nowMs: number): void;
  loadGroups(): Array<{ receiverId: string; groupKey: string; group: Group }>;
  replaceGroups(groups: ReadonlyArray<{ receiverId: string; groupKey: string; group: Group }>): void;
  /** Appends the round's firings and resolutions; drops those older than `keepSinceMs`. */
  appendTransitions(transitions: readonly AlertTransition[], keepSinceMs: number): void;
  /** The last `limit` firings and resolutions in [fromMs, toMs], oldest first. */
  transitions(fromMs: number, toMs: number, limit: number): AlertTransition[];
  /** Runs `work` in one write transaction: states, groups and outbox entries commit together. */
  transaction<T>(work: () => T): T;
}

/** Webhook receivers (table `webhook_receivers`, migration 3), as JSON bodies of the caller's type. */
export interface ReceiverPort<R> {
  list(): Array<{ id: string; receiver: R; createdAtMs: number; updatedAtMs: number }>;
  get(id: string): R | null;
  /** Inserts or replaces. */
  put(id: string, receiver: R, nowMs: number): void;
  remove(id: string): boolean;
}

/** The durable webhook outbox (table `webhook_outbox`, migration 3). */
export interface OutboxPort {
  /** Records notifications as pending; call inside the transaction that saves the alert states behind them. */
  enqueue(entries: readonly NewOutboxEntry[]): void;
  /**
   * Notifications due at `nowMs`: per (receiver, group), only the oldest pending one — a later
   * notification of a group never overtakes an earlier one that is still being retried.
   */
  due(nowMs: number, limit: number): OutboxEntry[];
  markDelivered(id: string, nowMs: number): void;
  markRetry(id: string, error: string, nextAttemptMs: number): void;
  markDead(id: string, error: string, nowMs: number): void;
  /** Newest first; `state` filters. */
  list(state: OutboxState | null, limit: number): OutboxEntry[];
  get(id: string): OutboxEntry | null;
  /** Pending count and the creation time of the oldest pending entry. */
  pendingStats(): { pending: number; oldestCreatedAtMs: number | null };
  /** Dead letters kept (the live view shows the count). */
  deadCount(): number;
  /** Drops delivered entries finished before `beforeMs`; dead letters stay until deleted. */
  pruneDelivered(beforeMs: number): number;
  /** The next seq for a group (1 for a new one). */
  nextSeq(receiverId: string, groupKey: string): number;
}

/** What the worker needs of a due notification (domain/alerts/outbox-entry.ts `OutboxEntry` has it). */
export interface DueNotification {
  id: string;
  receiverId: string;
  groupKey: string;
  body: string;
  createdAtMs: number;
  /** Attempts made before this one. */
  attempts: number;
}

/** The outbox as the worker uses it (a subset of `OutboxPort`). */
export interface DeliveryOutbox {
  /** Due notifications, only the head of each (receiver, group) queue. */
  due(nowMs: number, limit: number): DueNotification[];
  markDelivered(id: string, nowMs: number): void;
  markRetry(id: string, error: string, nextAttemptMs: number): void;
  markDead(id: string, error: string, nowMs: number): void;
}

/**
 * What alert figures read of the capacity report (services/capacity's `CapacityView` fits), so
 * the alerts service does not import the capacity service.
 */
export interface CapacityFiguresPort {
  updatedAt: string;
  sellable: { watts: number; gpus: number; valueUsdPerMonth: number };
  risk: { oversold: boolean; shortfallGpus: number; firstShortfallAt: string | null; firstRiskAt: string | null };
  forecast: { horizonDays: number };
}
