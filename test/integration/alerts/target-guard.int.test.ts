import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';
import { DeliveryHarness, notifications, target } from './delivery-harness.js';
import { startReceiver, type TestReceiver } from './test-receiver.js';
import { authedFetch } from '../helpers/auth.js';

/**
 * SSRF at send time: the delivery worker resolves the receiver's name itself and refuses the
 * connection when the address DNS returns now is not allowed (a name checked public at save time
 * and rebound to loopback later). `rebind.test` exists only in the resolver given to the worker.
 */
describe('webhook delivery refuses targets by the address DNS returns at send time', () => {
  let h: DeliveryHarness;
  let receiver: TestReceiver;
  beforeEach(async () => {
    h = new DeliveryHarness();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await h.dispose();
    await receiver.close();
  });
  const rebound = async () => ['127.0.0.1'];

  it('never connects to a name that now resolves to loopback, and says why', async () => {
    const worker = h.worker(new Map([['r', target('r', `http://rebind.test:${receiver.port}/hook`)]]), {
      policy: { allowPrivate: false },
      resolve: rebound,
    });
    h.outbox.enqueue(notifications('r', 1, 1));
    expect(await worker.drainOnce()).toBe(1);
    expect(receiver.requests).toHaveLength(0);
    const [entry] = h.outbox.list(null, 10);
    expect(entry?.lastError).toBe(
      'refused target: rebind.test resolves to 127.0.0.1 is loopback (set WEBHOOK_ALLOW_PRIVATE=true to allow private and loopback targets)',
    );
  });

  it('uses that resolver for real: with private targets allowed the same name is delivered to', async () => {
    const worker = h.worker(new Map([['r', target('r', `http://rebind.test:${receiver.port}/hook`)]]), {
      policy: { allowPrivate: true },
      resolve: rebound,
    });
    h.outbox.enqueue(notifications('r', 1, 1));
    expect(await worker.drainOnce()).toBe(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses a literal metadata address without a connection attempt', async () => {
    const worker = h.worker(new Map([['r', target('r', 'http://169.254.169.254/latest/meta-data/')]]), { policy: { allowPrivate: true } });
    h.outbox.enqueue(notifications('r', 1, 1));
    expect(await worker.drainOnce()).toBe(1);
    expect(h.outbox.list(null, 10)[0]?.lastError).toMatch(/^refused target: 169.254.169.254 is link-local/);
  });
});

describe('the webhooks API refuses hostile targets when saving (WEBHOOK_ALLOW_PRIVATE off, the default)', () => {
  let app: TestHeadroom;
  afterAll(async () => {
    await app?.stop();
  });

  it('answers 400 naming url and why, for loopback, private and metadata targets', async () => {
    app = await startTestHeadroom({ WEBHOOK_ALLOW_PRIVATE: 'false' });
    for (const [url, why] of [
      ['http://127.0.0.1:9/hook', /loopback/],
      ['http://localhost/hook', /loopback/],
      ['http://10.0.0.8/hook', /private/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://metadata.google.internal/', /metadata/],
    ] as const) {
      const res = await authedFetch(`${app.url}/api/v1/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', url }),
      });
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { error: string }).error, url).toMatch(new RegExp(`^url: refused target: .*${why.source}`));
    }
    expect(((await (await authedFetch(`${app.url}/api/v1/webhooks`)).json()) as { webhooks: unknown[] }).webhooks).toEqual([]);
  });
});
