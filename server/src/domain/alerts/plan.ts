import { notifiableStatus, type AlertState } from './alert-state.js';
import { fnv64Hex } from './fingerprint.js';
import { groupKeyOf, groupLabelsOf } from './group-key.js';
import { compareGoStrings, type Labels } from './labels.js';
import { compileMatchers } from './matchers.js';
import type { Receiver } from './receiver.js';
import { buildWebhookMessage, encodeWebhookMessage, type WebhookMessage } from './webhook-message.js';

/**
 * Notification planning: which webhook notifications to send now, following Alertmanager's
 * aggregation groups (dispatch/group.go) and notification log (notify DedupStage):
 *
 * - alerts matching a receiver are grouped by its `groupBy` labels; a group's first flush comes
 *   `groupWait` after it appears (at once if one of its alerts fired longer ago than that), then
 *   every `groupInterval`;
 * - at a flush a notification goes out if this is the group's first with a firing alert, a new
 *   alert fires, every alert has resolved, an alert resolved and `sendResolved` is on, or
 *   nothing changed but the last notification is older than `repeatInterval`;
 * - resolved alerts ride in the notification only with `sendResolved`, and (our one deviation)
 *   only those the receiver was told are firing; a resolved alert leaves the group after the
 *   first flush that sees it.
 *
 * Pure: the group state (the aggregation groups and their notification log) comes in and goes
 * out; the adapter saves it (table `notify_groups`) in the transaction that enqueues the
 * notifications, so a crash either keeps both or neither.
 */

export interface NotifyLogEntry {
  atMs: number;
  /** Fingerprints firing in the last notification (nflog `FiringAlerts`), sorted. */
  firing: string[];
  /** Fingerprints resolved in it (nflog `ResolvedAlerts`), sorted. */
  resolved: string[];
}

/** One receiver's aggregation group and its notification log, saved between rounds as JSON. */
export interface NotifyGroup {
  receiverId: string;
  groupKey: string;
  groupLabels: Labels;
  /** When this (receiver, group key) was first seen: part of its notification ids. */
  epochMs: number;
  /** When the current episode began (a firing alert joined an empty group); null while dormant. */
  activeSinceMs: number | null;
  hasFlushed: boolean;
  nextFlushAtMs: number | null;
  lastFlushAtMs: number | null;
  /** The last notification of this episode; null before the first. */
  notified: NotifyLogEntry | null;
  /** Sequence number of the last notification: the outbox sends a group's notifications in this order. */
  seq: number;
}

/** A notification to enqueue: fields named as the outbox's `NewOutboxEntry`, plus the message. */
export interface PlannedNotification {
  /** The `webhook-id` of every attempt: `msg_<hash of receiver + group key>_<group epoch>_<seq>`. */
  id: string;
  receiverId: string;
  groupKey: string;
  seq: number;
  createdAtMs: number;
  status: 'firing' | 'resolved';
  message: WebhookMessage;
  /** The exact request body (Alertmanager's encoding); the signature covers these bytes. */
  body: string;
}

export interface PlanOptions {
  /** Headroom's external URL, for `externalURL` and each alert's `generatorURL`. */
  externalUrl: string;
  /**
   * How long an empty group's record (its `seq` and epoch) is kept, ms; default 7 days. Keep it
   * longer than the outbox retries, so a re-formed group never numbers behind a pending entry.
   */
  dormantRetentionMs?: number;
}

export interface Plan {
  notifications: PlannedNotification[];
  groups: NotifyGroup[];
}

export const DEFAULT_DORMANT_RETENTION_MS = 7 * 86_400_000;

/** Fingerprints receivers were told are firing and not yet told are resolved: pass to `evaluateAlerts` as `keepFingerprints`. */
export function fingerprintsAwaitingResolve(groups: readonly NotifyGroup[]): Set<string> {
  return new Set(groups.flatMap((g) => g.notified?.firing ?? []));
}

export function notificationId(receiverId: string, groupKey: string, epochMs: number, seq: number): string {
  return `msg_${fnv64Hex(`${receiverId}\u0000${groupKey}`)}_${epochMs.toString(36)}_${seq}`;
}

const isSubset = (subset: ReadonlySet<string>, of: readonly string[]): boolean => [...subset].every((fp) => of.includes(fp));

/** The DedupStage's `needsUpdate`: whether this flush notifies. */
function needsUpdate(
  entry: NotifyLogEntry | null,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  receiver: Receiver,
  nowMs: number,
): boolean {
  if (entry === null) return firing.size > 0;
  if (!isSubset(firing, entry.firing)) return true;
  // All resolved: logged even without sendResolved, so the log stops listing them as firing.
  if (firing.size === 0) return entry.firing.length > 0;
  if (receiver.sendResolved && !isSubset(resolved, entry.resolved)) return true;
  // Strictly older, as Alertmanager's `Timestamp.Before(now - repeat)`.
  return entry.atMs < nowMs - receiver.repeatIntervalS * 1000;
}

interface Members {
  groupLabels: Labels;
  alerts: AlertState[];
}

/** The receiver's alerts, firing or resolved, by group key. */
function membersOf(receiver: Receiver, states: readonly AlertState[]): Map<string, Members> {
  const matches = compileMatchers(receiver.matchers);
  const out = new Map<string, Members>();
  for (const state of states) {
    if (notifiableStatus(state) === null || !matches(state.labels)) continue;
    const groupLabels = groupLabelsOf(receiver, state.labels);
    const key = groupKeyOf(receiver, groupLabels);
    const m = out.get(key) ?? { groupLabels, alerts: [] };
    m.alerts.push(state);
    out.set(key, m);
  }
  return out;
}

/**
 * Plans the notifications due at `nowMs`.
 * @param receivers every receiver; groups of a receiver not listed are dropped.
 * @param states this round's alert states (from `evaluateAlerts`).
 * @param groups the group state returned by the previous call ([] at first start).
 * @returns the notifications to enqueue, in order (by receiver, then group key), and the new group state.
 */
export function planNotifications(
  receivers: readonly Receiver[],
  states: readonly AlertState[],
  groups: readonly NotifyGroup[],
  nowMs: number,
  options: PlanOptions,
): Plan {
  const dormantRetentionMs = options.dormantRetentionMs ?? DEFAULT_DORMANT_RETENTION_MS;
  const notifications: PlannedNotification[] = [];
  const nextGroups: NotifyGroup[] = [];
  for (const receiver of [...receivers].sort((a, b) => compareGoStrings(a.id, b.id))) {
    const members = membersOf(receiver, states);
    const byKey = new Map<string, NotifyGroup>();
    for (const g of groups) if (g.receiverId === receiver.id) byKey.set(g.groupKey, { ...g });
    // A firing alert opens its group (or re-opens a dormant one), starting the group wait.
    for (const [key, m] of members) {
      if (!m.alerts.some((a) => a.status === 'firing')) continue;
      const g = byKey.get(key);
      if (g && g.activeSinceMs !== null) continue;
      byKey.set(key, {
        receiverId: receiver.id,
        groupKey: key,
        groupLabels: m.groupLabels,
        epochMs: g?.epochMs ?? nowMs,
        activeSinceMs: nowMs,
        hasFlushed: false,
        nextFlushAtMs: nowMs + receiver.groupWaitS * 1000,
        lastFlushAtMs: g?.lastFlushAtMs ?? null,
        notified: null,
        seq: g?.seq ?? 0,
      });
    }
    for (const key of [...byKey.keys()].sort(compareGoStrings)) {
      const g = byKey.get(key);
      if (!g) continue;
      if (g.activeSinceMs === null) {
        if (nowMs - (g.lastFlushAtMs ?? g.epochMs) <= dormantRetentionMs) nextGroups.push(g);
        continue;
      }
      const alerts = members.get(key)?.alerts ?? [];
      const firing = alerts.filter((a) => a.status === 'firing');
      const waitMs = receiver.groupWaitS * 1000;
      const due = g.hasFlushed
        ? nowMs >= (g.nextFlushAtMs ?? nowMs)
        : nowMs >= g.activeSinceMs + waitMs || firing.some((a) => (a.firedAtMs ?? nowMs) + waitMs < nowMs);
      if (!due) {
        nextGroups.push(g);
        continue;
      }
      const resolved = alerts.filter((a) => a.status !== 'firing' && (a.resolvedAtMs ?? 0) > (g.lastFlushAtMs ?? -Infinity));
      // Our deviation: a resolved alert the receiver never heard fire is neither sent nor a reason to send.
      const toldFiring = g.notified?.firing ?? [];
      const resolvedToTell = receiver.sendResolved ? resolved.filter((a) => toldFiring.includes(a.fingerprint)) : [];
      const firingSet = new Set(firing.map((a) => a.fingerprint));
      if (needsUpdate(g.notified, firingSet, new Set(resolvedToTell.map((a) => a.fingerprint)), receiver, nowMs)) {
        const sent = [...firing, ...resolvedToTell];
        if (sent.length > 0) {
          g.seq += 1;
          const message = buildWebhookMessage({
            receiverName: receiver.name,
            groupKey: key,
            groupLabels: g.groupLabels,
            alerts: sent,
            externalUrl: options.externalUrl,
          });
          notifications.push({
            id: notificationId(receiver.id, key, g.epochMs, g.seq),
            receiverId: receiver.id,
            groupKey: key,
            seq: g.seq,
            createdAtMs: nowMs,
            status: message.status,
            message,
            body: encodeWebhookMessage(message),
          });
        }
        g.notified = { atMs: nowMs, firing: [...firingSet].sort(), resolved: resolved.map((a) => a.fingerprint).sort() };
      }
      g.hasFlushed = true;
      g.lastFlushAtMs = nowMs;
      g.nextFlushAtMs = nowMs + receiver.groupIntervalS * 1000;
      // No firing alert left and its resolved ones flushed: the group empties, as Alertmanager drops it.
      if (firing.length === 0) Object.assign(g, { activeSinceMs: null, hasFlushed: false, nextFlushAtMs: null, notified: null });
      nextGroups.push(g);
    }
  }
  return { notifications, groups: nextGroups };
}
