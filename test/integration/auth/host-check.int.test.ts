import { request as httpRequest } from 'node:http';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

/**
 * Issue 16 item 5: a DNS-rebinding page reaches this server under the page's own name, so its
 * requests carry `Host: evil.example`. They are refused (421 over HTTP, a refused handshake on
 * the live view) before anything is read; this server's names and IP addresses still pass, and
 * METRICS_MONEY=false keeps money off /metrics.
 */
let h: TestHeadroom;
let money: TestHeadroom;
beforeAll(async () => {
  [h, money] = await Promise.all([
    startTestHeadroom({ PUBLIC_READ: 'true', SIM_CONTRACTS: 'demo', ALLOWED_HOSTS: 'headroom.example.com' }),
    startTestHeadroom({ SIM_CONTRACTS: 'demo', METRICS_MONEY: 'false' }),
  ]);
  await Promise.all([h.collectAt(h.clock.now()), money.collectAt(money.clock.now())]);
});
afterAll(async () => {
  await Promise.all([h?.stop(), money?.stop()]);
});

/** A GET with the Host header given (fetch may not set Host). */
function get(server: TestHeadroom, path: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Host header (issue 16 item 5)', () => {
  it('refuses a foreign name with 421 naming it, on /metrics, the API and the page', async () => {
    for (const path of ['/metrics', '/api/v1/fleet', '/api/v1/contracts', '/']) {
      const answer = await get(h, path, `evil.example:${h.port}`);
      expect(answer.status, path).toBe(421);
      expect(JSON.parse(answer.text), path).toMatchObject({
        error: expect.stringMatching(/^Host "evil\.example:\d+" is not a name of this server/),
      });
    }
  });

  it('answers its own names and addresses: localhost, 127.0.0.1, [::1], ALLOWED_HOSTS', async () => {
    for (const host of [
      `localhost:${h.port}`,
      `127.0.0.1:${h.port}`,
      `[::1]:${h.port}`,
      'headroom.example.com',
      'HEADROOM.example.com:443',
    ]) {
      expect((await get(h, '/api/v1/fleet', host)).status, host).toBe(200);
    }
  });

  it('refuses the live view handshake for a foreign name, and admits its own', async () => {
    const handshake = '/socket.io/?EIO=4&transport=polling';
    expect((await get(h, handshake, 'evil.example')).status).toBe(403);
    expect((await get(h, handshake, `localhost:${h.port}`)).status).toBe(200);
    // Over the WebSocket upgrade too (PUBLIC_READ: no token needed, so only the Host can refuse it).
    const upgrade = (host: string) =>
      new Promise<string>((resolve) => {
        const socket = io(h.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { host } });
        const done = (how: string) => {
          socket.close();
          resolve(how);
        };
        socket.once('connect', () => done('connected'));
        socket.once('connect_error', () => done('refused'));
      });
    expect(await upgrade('evil.example')).toBe('refused');
    expect(await upgrade(`localhost:${h.port}`)).toBe('connected');
  });
});

describe('METRICS_MONEY=false', () => {
  const MONEY = ['headroom_contract_revenue_usd_per_month', 'headroom_contract_value_usd', 'headroom_sellable_value_usd_per_month'];
  it('leaves every money series off /metrics and keeps the rest', async () => {
    const shown = (await get(h, '/metrics', 'localhost')).text;
    const hidden = (await get(money, '/metrics', 'localhost')).text;
    for (const name of MONEY) {
      expect(shown, name).toContain(`# TYPE ${name} gauge`);
      expect(hidden, name).not.toContain(name);
    }
    expect(hidden).toMatch(/^headroom_contracted_gpus\{.*customer=/m);
    expect(hidden).toMatch(/^headroom_sellable_gpus\{/m);
  });
});
