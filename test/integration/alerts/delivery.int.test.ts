import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { WebhookTarget } from '../../../server/src/services/alerts/ports.js';
import { generateSecret } from '../../../server/src/services/alerts/signing.js';
import {
  DeliveryHarness,
  expectAllVerify,
  expectDeliveredOnceInOrder,
  notifications,
  target,
  waitFor,
  type DeliveryCount,
} from './delivery-harness.js';
import { startReceiver, type Answer, type ReceivedRequest, type TestReceiver } from './test-receiver.js';

const OK: Answer = { status: 200, body: 'ok' };

let h: DeliveryHarness;
let receivers: TestReceiver[];
const receiver = async (answer?: TestReceiver['answer']) => {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
};
beforeEach(() => {
  h = new DeliveryHarness();
  receivers = [];
});
afterEach(async () => {
  // Receivers first: hung attempts then end at once and stop() does not wait out a timeout.
  await Promise.all(receivers.map((r) => r.close()));
  await h.dispose();
});

/** A byte flipped in the body, the id or the timestamp: the signature no longer verifies. */
function expectTamperingFails(request: ReceivedRequest, secret: string): void {
  const wh = new Webhook(secret);
  const body = Buffer.from(request.body);
  const i = body.indexOf('"status"');
  body[i + 1] = (body[i + 1] ?? 0) ^ 0x01;
  const id = request.webhookId.slice(0, -1) + (request.webhookId.endsWith('1') ? '2' : '1');
  const ts = request.headers['webhook-timestamp'] ?? '';
  // The last digit moves the time by under 10 s, well inside the 5-minute tolerance: only the signature can fail.
  const timestamp = ts.slice(0, -1) + String((Number(ts.at(-1)) + 1) % 10);
  expect(() => wh.verify(request.body, request.headers)).not.toThrow();
  expect(() => wh.verify(body, request.headers)).toThrow(WebhookVerificationError);
  expect(() => wh.verify(request.body, { ...request.headers, 'webhook-id': id })).toThrow(WebhookVerificationError);
  expect(() => wh.verify(request.body, { ...request.headers, 'webhook-timestamp': timestamp })).toThrow(WebhookVerificationError);
}

interface FaultCase {
  name: string;
  /** Error every failed attempt must report. */
  error: RegExp;
  /** Requests the receiver got and failed (so: repeats it sees); null when none reach it. */
  failedRequests: number | null;
  answer: TestReceiver['answer'];
  /** The receiver is not listening when delivery starts; `outage` runs meanwhile and ends it. */
  outage?: (r: TestReceiver) => Promise<void>;
}

const FAULTS: FaultCase[] = [
  {
    name: 'down (connection refused) for a while, then up',
    error: /^connection refused$/,
    failedRequests: null,
    answer: () => OK,
    async outage(r) {
      const failures = () => h.events.filter((e) => e.kind === 'retry').length;
      await waitFor('a dozen refused attempts', () => failures() >= 12);
      await r.reopen();
    },
  },
  {
    name: 'answering 500 for 15 requests, then 200',
    error: /^HTTP 500 \(answer of 17 bytes, not kept\)$/,
    failedRequests: 15,
    answer: (_, n) => (n < 15 ? { status: 500, body: 'upstream exploded' } : OK),
  },
  {
    name: 'hanging past the timeout for 4 requests, then healthy',
    error: /^timed out after 300 ms$/,
    failedRequests: 4,
    answer: (_, n) => (n < 4 ? 'hang' : OK),
  },
  {
    name: 'dropping the connection unanswered for 6 requests, then healthy',
    error: /^connection (closed before a response|reset)$/,
    failedRequests: 6,
    answer: (_, n) => (n < 6 ? 'reset' : OK),
  },
];

describe('webhook delivery through faults (real SQLite outbox, real HTTP receivers)', () => {
  it.each(FAULTS)('delivers every notification once after dedupe, in group order, when the receiver is $name', async (fault) => {
    const r = await receiver(fault.answer);
    // Two secrets: a rotation in progress; a receiver holding either must verify.
    const secrets = [generateSecret(), generateSecret()];
    const targets = new Map([['rx', target('rx', r.url, secrets)]]);
    const sent = notifications('rx', 3, 7, Date.now() - 5_000);
    h.outbox.enqueue(sent);
    const queued = await h.exposition();
    expect(queued.value('headroom_webhook_queue_depth')).toBe(21);
    expect(queued.value('headroom_webhook_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(5);

    const worker = h.worker(targets);
    if (fault.outage) await r.close();
    worker.start();
    await fault.outage?.(r);
    await waitFor('everything delivered', () => h.outbox.pendingStats().pending === 0);
    await worker.stop();

    const count: DeliveryCount = expectDeliveredOnceInOrder(sent, r.requests);
    expect(r.requests[0]?.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Headroom' });
    expect(h.errors).toEqual([]);
    expectAllVerify(r.requests, secrets);
    const first = r.requests[0];
    if (first) for (const secret of secrets) expectTamperingFails(first, secret);
    if (fault.failedRequests !== null) expect(count.duplicates).toBe(fault.failedRequests);
    else expect(count.duplicates).toBe(0);

    const entries = h.outbox.list(null, 100);
    expect(entries.every((e) => e.state === 'delivered')).toBe(true);
    const failures = h.events.filter((e) => e.kind === 'retry');
    expect(failures.length).toBeGreaterThan(0);
    for (const e of failures) expect(e.error).toMatch(fault.error);
    const attempts = entries.reduce((s, e) => s + e.attempts, 0);
    expect(failures.length).toBe(attempts - 21);

    const m = await h.exposition();
    expect(m.value('headroom_webhook_notifications_sent_total', { receiver: 'rx' })).toBe(21);
    expect(m.value('headroom_webhook_delivery_failures_total', { receiver: 'rx' })).toBe(failures.length);
    expect(m.value('headroom_webhook_notifications_retried_total', { receiver: 'rx' })).toBe(failures.length);
    expect(m.value('headroom_webhook_notifications_dead_lettered_total', { receiver: 'rx' })).toBe(0);
    expect(m.value('headroom_webhook_queue_depth')).toBe(0);
    expect(m.value('headroom_webhook_oldest_pending_age_seconds')).toBe(0);
    // (The exposition parser drops a histogram's labels and count: read the text.)
    expect(await h.registry.metrics()).toMatch(/^headroom_webhook_delivery_duration_seconds_count\{receiver="rx"\} 21$/m);
    console.info(
      `[fault matrix] ${fault.name}: sent ${count.distinct}, requests ${count.requests}, duplicates ${count.duplicates}, failed attempts ${failures.length}, dead 0`,
    );
  });

  it('keeps a healthy receiver on time while another hangs on every request', async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    const targets = new Map([
      ['stuck', target('stuck', hanging.url)],
      ['fine', target('fine', healthy.url)],
    ]);
    // The stuck receiver's notifications are older, so the outbox hands them out first; six groups: more than its lanes.
    const stuck = notifications('stuck', 6, 3, Date.now() - 60_000);
    const fine = notifications('fine', 3, 7);
    h.outbox.enqueue([...stuck, ...fine]);
    const worker = h.worker(targets, { timeoutMs: 5_000 });

    const startedMs = Date.now();
    worker.start();
    await waitFor('the healthy receiver got all 21', () => new Set(healthy.requests.map((q) => q.webhookId)).size === 21);
    const elapsedMs = Date.now() - startedMs;

    expect(elapsedMs).toBeLessThan(2_000);
    expectDeliveredOnceInOrder(fine, healthy.requests);
    // Still hanging (5 s timeout), and holding no more than its four lanes, one per group.
    expect(hanging.requests).toHaveLength(4);
    expect(new Set(hanging.requests.map((q) => q.groupKey)).size).toBe(4);
    // The healthy receiver's last answers may still be being recorded: wait for the outbox to say so.
    await waitFor('only the stuck receiver pending', () => h.outbox.pendingStats().pending === 18, 2_000);
    expect(h.errors).toEqual([]);
    console.info(
      `[hang isolation] healthy receiver: 21 delivered in ${elapsedMs} ms; hanging receiver: ${hanging.requests.length} attempts in flight`,
    );
  });

  it('gives up after giveUpAfterMs on a receiver that always fails, keeping the last error', async () => {
    const r = await receiver(() => ({ status: 503, body: 'maintenance' }));
    const secret = generateSecret();
    const sent = notifications('down', 1, 3);
    h.outbox.enqueue(sent);
    const worker = h.worker(new Map([['down', target('down', r.url, [secret])]]), { giveUpAfterMs: 1_000 });
    worker.start();
    await waitFor('all dead-lettered', () => h.outbox.pendingStats().pending === 0);

    const dead = h.outbox.list('dead', 10).sort((a, b) => a.seq - b.seq);
    expect(dead.map((e) => e.id)).toEqual(sent.map((e) => e.id));
    for (const e of dead) {
      expect(e.lastError).toBe('HTTP 503 (answer of 11 bytes, not kept)');
      expect((e.doneAtMs ?? 0) - e.createdAtMs).toBeGreaterThan(1_000);
    }
    const head = dead[0];
    expect(head?.attempts).toBeGreaterThan(2);
    // One id on every attempt, a fresh timestamp each time (the attempts span over a second).
    const headRequests = r.requests.filter((q) => q.webhookId === head?.id);
    expect(headRequests).toHaveLength(head?.attempts ?? 0);
    expect(new Set(headRequests.map((q) => q.headers['webhook-timestamp'])).size).toBeGreaterThan(1);
    expectAllVerify(r.requests, [secret]);

    const m = await h.exposition();
    expect(m.value('headroom_webhook_notifications_dead_lettered_total', { receiver: 'down' })).toBe(3);
    expect(m.value('headroom_webhook_notifications_sent_total', { receiver: 'down' })).toBe(0);
    expect(m.value('headroom_webhook_delivery_failures_total', { receiver: 'down' })).toBe(r.requests.length);
    expect(m.value('headroom_webhook_queue_depth')).toBe(0);
    console.info(`[give-up] sent 0, requests ${r.requests.length}, dead ${dead.length}, head attempts ${head?.attempts}`);
  });

  it('dead-letters at once on 410 Gone, and for a receiver that was deleted', async () => {
    const gone = await receiver(() => ({ status: 410, body: 'no such hook' }));
    h.outbox.enqueue([...notifications('gone', 1, 1), ...notifications('deleted', 1, 1)]);
    const worker = h.worker(new Map([['gone', target('gone', gone.url)]]));
    expect(await worker.drainOnce()).toBe(2);

    expect(
      h.outbox
        .list('dead', 10)
        .map((e) => [e.receiverId, e.attempts, e.lastError])
        .sort(),
    ).toEqual([
      ['deleted', 1, 'receiver deleted'],
      ['gone', 1, 'HTTP 410 (answer of 12 bytes, not kept) (permanent: endpoint gone)'],
    ]);
    expect(gone.requests).toHaveLength(1);
    expect(h.events.map((e) => e.kind)).toEqual(['dead', 'dead']);
  });

  // Issue 16 item 13: dead letters kept 200 characters of any answer; with WEBHOOK_ALLOW_PRIVATE a
  // receiver URL can name an internal service, whose answers were then read back through the API.
  it("keeps a failing receiver's status and answer length, and its text only when WEBHOOK_KEEP_ERROR_BODY says so", async () => {
    const secretAnswer = `internal: ${'x'.repeat(5_000)}`;
    const leaky = await receiver(() => ({ status: 500, body: secretAnswer }));
    h.outbox.enqueue(notifications('leaky', 1, 1));
    const targets = new Map([
      ['leaky', target('leaky', leaky.url)],
      ['kept', target('kept', leaky.url)],
    ]);
    await h.worker(targets, { giveUpAfterMs: 0 }).drainOnce();
    const lastError = (id: string) => h.outbox.list('dead', 10).find((e) => e.receiverId === id)?.lastError;
    expect(lastError('leaky')).toBe('HTTP 500 (answer of over 4096 bytes, not kept)');
    h.outbox.enqueue(notifications('kept', 1, 1));
    await h.worker(targets, { giveUpAfterMs: 0, keepErrorBody: true }).drainOnce();
    expect(lastError('kept')).toBe(`HTTP 500: ${secretAnswer.slice(0, 200)}`);
  });

  it('loses nothing when the process dies mid-delivery: the rest goes out after a restart, with the same ids', async () => {
    // Five answers, then it holds every request: those are in flight when the "crash" comes.
    const r = await receiver((_, n) => (n < 5 ? OK : 'hang'));
    const targets = new Map([['rx', target('rx', r.url)]]);
    const sent = notifications('rx', 3, 7);
    h.outbox.enqueue(sent);
    const before = h.worker(targets, { timeoutMs: 10_000 });
    before.start();
    // One hung head per group: 5 + 3.
    await waitFor('five delivered and three in flight', () => r.requests.length === 8);
    const inFlightIds = r.requests.slice(5).map((q) => q.webhookId);

    h.crashAndReopen();
    // The old worker's attempts end with nothing recorded (its connection is gone), like a killed process's.
    await r.close();
    await before.stop();
    expect(h.errors).toContain('cannot record a webhook delivery outcome');
    r.answer = () => OK;
    await r.reopen();
    expect(h.outbox.pendingStats().pending).toBe(16);

    const after = h.worker(targets);
    after.start();
    await waitFor('everything delivered after the restart', () => h.outbox.pendingStats().pending === 0);

    const count = expectDeliveredOnceInOrder(sent, r.requests);
    expect(count.duplicates).toBe(3);
    // The repeats are exactly the three that were in flight, under the same webhook-ids.
    const ids = r.requests.map((q) => q.webhookId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i).sort()).toEqual([...inFlightIds].sort());
    expect(h.outbox.list('delivered', 100)).toHaveLength(21);
    console.info(
      `[crash] sent 21, requests ${count.requests}, duplicates ${count.duplicates} (the ${inFlightIds.length} in flight), dead 0`,
    );
  });

  it('does not follow a redirect: a 302 is a failure naming the Location, and its target never hears of it', async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver(() => ({ status: 302, body: '', headers: { location: elsewhere.url } }));
    h.outbox.enqueue(notifications('rx', 1, 1));
    const worker = h.worker(new Map<string, WebhookTarget>([['rx', target('rx', redirecting.url)]]));
    expect(await worker.drainOnce()).toBe(1);

    expect(redirecting.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    const [entry] = h.outbox.list(null, 10);
    expect(entry?.state).toBe('pending');
    expect(entry?.lastError).toBe(`HTTP 302 redirect to ${elsewhere.url} (redirects are not followed)`);
  });
});
