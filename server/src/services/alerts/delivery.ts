import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { DeliveryEvent, DeliveryOutbox, DueNotification, WebhookTarget } from './ports.js';
import type { Resolve, TargetPolicy } from './target-guard.js';
import { postWebhook, webhookDispatcher, WebhookDeliveryError } from './webhook-post.js';

/**
 * The webhook delivery worker: takes due notifications from the durable outbox, posts each
 * (signed, fresh timestamp, same `webhook-id` on every attempt) and records the outcome there.
 *
 * Every bit of state is in the outbox, so a restart loses nothing: a notification that was in
 * flight when the process died is still pending and goes again with the same id (at least once;
 * receivers dedupe by `webhook-id`).
 *
 * Lanes: at most one attempt per (receiver, group) is in flight, which with the outbox handing
 * out only each group's head keeps a group in order; at most `maxInFlightPerReceiver` per
 * receiver. The loop hands out work and never awaits an attempt, so a receiver that hangs holds
 * only its own lanes, never another receiver's.
 */

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryWorkerDeps {
  outbox: DeliveryOutbox;
  /** The receiver now (url and active secrets), or null once it was deleted. */
  target(receiverId: string): WebhookTarget | null;
  /** Wall clock: signed timestamps, retry times, ages. */
  nowMs(): number;
  /** Per attempt: connect, headers and body. */
  timeoutMs: number;
  /** A failing notification older than this (since it was queued) goes to the dead-letter list. */
  giveUpAfterMs: number;
  backoff: BackoffPolicy;
  /** Uniform in [0, 1) for the jitter; Math.random by default. */
  random?: () => number;
  onEvent?: (e: DeliveryEvent) => void;
  log: DeliveryLog;
  /** Attempts in flight to one receiver at once (each for a different group); default 4. */
  maxInFlightPerReceiver?: number;
  /** Longest sleep between looks at the outbox (notifications queued by another path, or before a restart); default 1000 ms. */
  pollMs?: number;
  userAgent?: string;
  /** Keep the start of a receiver's error answer in the failure (WEBHOOK_KEEP_ERROR_BODY); see PostOptions. */
  keepErrorBody?: boolean;
  /** Which addresses webhooks may reach (target-guard.ts); private and loopback refused unless allowed. */
  policy: TargetPolicy;
  /** Name resolution for the guard (the system resolver by default; tests inject rebinding). */
  resolve?: Resolve;
}

export interface DeliveryWorker {
  start(): void;
  /** Stops handing out work and waits for attempts in flight (each bounded by the timeout). */
  stop(): Promise<void>;
  /** Look at the outbox now: call after enqueueing. */
  kick(): void;
  /** Hands out what is due now and waits for those attempts; the number of attempts (tests). */
  drainOnce(): Promise<number>;
}

// Group heads read per look. Heads that wait for a free lane are read again each time, so this
// must exceed the groups one stuck receiver can have pending: a few hundred at most in practice.
const DUE_BATCH = 1_000;
const DEFAULT_MAX_PER_RECEIVER = 4;
const DEFAULT_POLL_MS = 1_000;

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { outbox, log } = deps;
  const maxPerReceiver = deps.maxInFlightPerReceiver ?? DEFAULT_MAX_PER_RECEIVER;
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  const random = deps.random ?? Math.random;
  const userAgent = deps.userAgent ?? 'Headroom';
  const dispatcher = webhookDispatcher(deps.policy, deps.resolve);

  const inFlight = new Map<string, Promise<void>>();
  const busyGroups = new Set<string>();
  const perReceiver = new Map<string, number>();
  let running = false;
  let pumpQueued = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAtMs = Infinity;

  const laneOf = (n: DueNotification) => `${n.receiverId}\u0000${n.groupKey}`;
  const emit = (e: DeliveryEvent) => {
    try {
      deps.onEvent?.(e);
    } catch (err) {
      log.error({ err }, 'delivery event observer failed');
    }
  };

  /** Starts an attempt for every due head that has a free lane; returns them without waiting. */
  function dispatch(): Promise<void>[] {
    let due: DueNotification[];
    try {
      due = outbox.due(deps.nowMs(), DUE_BATCH);
    } catch (err) {
      log.error({ err }, 'cannot read the webhook outbox');
      return [];
    }
    const started: Promise<void>[] = [];
    for (const n of due) {
      const count = perReceiver.get(n.receiverId) ?? 0;
      if (inFlight.has(n.id) || busyGroups.has(laneOf(n)) || count >= maxPerReceiver) continue;
      started.push(launch(n, count));
    }
    return started;
  }

  function launch(n: DueNotification, count: number): Promise<void> {
    busyGroups.add(laneOf(n));
    perReceiver.set(n.receiverId, count + 1);
    const done = attempt(n).then(
      // The group's next notification may be due right away.
      () => schedulePump(),
      // An outbox write failed (disk, closed db): leave the retry to the poll rather than spin.
      (err: unknown) => log.error({ err, id: n.id, receiverId: n.receiverId }, 'cannot record a webhook delivery outcome'),
    );
    const settled = done.finally(() => {
      inFlight.delete(n.id);
      busyGroups.delete(laneOf(n));
      const left = (perReceiver.get(n.receiverId) ?? 1) - 1;
      if (left > 0) perReceiver.set(n.receiverId, left);
      else perReceiver.delete(n.receiverId);
    });
    inFlight.set(n.id, settled);
    return settled;
  }

  async function attempt(n: DueNotification): Promise<void> {
    let target: WebhookTarget | null;
    try {
      target = deps.target(n.receiverId);
    } catch (err) {
      // An unreadable receiver row may be fixed by an update: retry, as for a receiver that is down.
      return failed(n, new WebhookDeliveryError(`cannot read the receiver: ${messageOf(err)}`, null));
    }
    if (!target) return dead(n, 'receiver deleted');
    const startedMs = performance.now();
    try {
      await postWebhook(target, n, {
        timeoutMs: deps.timeoutMs,
        nowMs: deps.nowMs(),
        userAgent,
        dispatcher,
        keepErrorBody: deps.keepErrorBody,
      });
    } catch (err) {
      return failed(n, err instanceof WebhookDeliveryError ? err : new WebhookDeliveryError(messageOf(err), null));
    }
    outbox.markDelivered(n.id, deps.nowMs());
    const attempts = n.attempts + 1;
    if (attempts > 1) log.info({ id: n.id, receiverId: n.receiverId, attempts }, 'webhook delivered after retries');
    emit({ kind: 'sent', receiverId: n.receiverId, id: n.id, attempts, ms: performance.now() - startedMs });
  }

  function failed(n: DueNotification, err: WebhookDeliveryError): void {
    const nowMs = deps.nowMs();
    // Give up only after a failed attempt: a notification that aged while Headroom was down
    // still gets its chance.
    if (err.permanent || nowMs - n.createdAtMs > deps.giveUpAfterMs) return dead(n, err.message);
    const attempts = n.attempts + 1;
    const nextAttemptMs = nowMs + backoffDelayMs(attempts, deps.backoff, random);
    outbox.markRetry(n.id, err.message, nextAttemptMs);
    wakeAt(nextAttemptMs);
    log.warn(
      { id: n.id, receiverId: n.receiverId, attempts, error: err.message, retryInMs: nextAttemptMs - nowMs },
      'webhook delivery failed; will retry',
    );
    emit({ kind: 'retry', receiverId: n.receiverId, id: n.id, attempts, error: err.message, nextAttemptMs });
  }

  function dead(n: DueNotification, error: string): void {
    outbox.markDead(n.id, error, deps.nowMs());
    const attempts = n.attempts + 1;
    log.error({ id: n.id, receiverId: n.receiverId, attempts, error }, 'webhook notification moved to the dead-letter list');
    emit({ kind: 'dead', receiverId: n.receiverId, id: n.id, attempts, error });
  }

  function pump(): void {
    pumpQueued = false;
    if (!running) return;
    // Each launch settles and records itself; only flushes wait for the promises.
    void dispatch();
    wakeAt(deps.nowMs() + pollMs);
  }

  /** One look soon, however many attempts finish or kicks arrive in the meantime. */
  function schedulePump(): void {
    if (!running || pumpQueued) return;
    pumpQueued = true;
    setImmediate(pump);
  }

  /** Keeps one timer, at the earliest time anything is known to become due. */
  function wakeAt(atMs: number): void {
    if (!running || (timer && timerAtMs <= atMs)) return;
    if (timer) clearTimeout(timer);
    timerAtMs = atMs;
    // +1 ms: a timer may fire a hair before the wall clock reaches the retry time.
    timer = setTimeout(
      () => {
        timer = null;
        timerAtMs = Infinity;
        pump();
      },
      Math.max(0, atMs - deps.nowMs()) + 1,
    );
    timer.unref();
  }

  return {
    start() {
      if (running) return;
      running = true;
      pump();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      timerAtMs = Infinity;
      // Attempts end by themselves within the timeout; the guard only covers a hung observer.
      let guard: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (guard = setTimeout(resolve, deps.timeoutMs + 1_000)));
      await Promise.race([Promise.allSettled([...inFlight.values()]), bound]);
      clearTimeout(guard);
    },
    kick: schedulePump,
    async drainOnce() {
      const started = dispatch();
      await Promise.all(started);
      return started.length;
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
