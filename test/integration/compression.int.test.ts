import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as they came over the wire. */
  wire: Buffer;
  /** The body after undoing content-encoding. */
  text: string;
}

/** One request with exactly these headers (fetch would add and undo content-encoding itself). */
function raw(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...bearer(), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const plain = encoding === 'br' ? brotliDecompressSync(wire) : encoding === 'gzip' ? gunzipSync(wire) : wire;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, text: plain.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('compressed answers', () => {
  let h: TestHeadroom;
  let bundle = '';
  beforeAll(async () => {
    h = await startTestHeadroom({}, undefined, { buildClient: true });
    const page = await raw(`${h.url}/`, {});
    bundle = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1] ?? '';
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('serves the capacity report and the script bundle with brotli or gzip when the client accepts them', async () => {
    expect(bundle).toMatch(/^\/assets\//);
    for (const path of ['/api/v1/capacity', bundle]) {
      const plain = await raw(h.url + path, {});
      for (const encoding of ['br', 'gzip']) {
        const res = await raw(h.url + path, { 'accept-encoding': `${encoding}, identity;q=0.5` });
        expect(res.status, path).toBe(200);
        expect(res.headers['content-encoding'], path).toBe(encoding);
        expect(res.headers.vary, path).toMatch(/accept-encoding/i);
        expect(res.text, path).toBe(plain.text);
        expect(res.wire.length, path).toBeLessThan(plain.wire.length / 2);
      }
    }
  });

  it('serves them as they are when the client sends no accept-encoding or accepts only identity', async () => {
    for (const path of ['/api/v1/capacity', bundle]) {
      for (const headers of [{}, { 'accept-encoding': 'identity' }] as Array<Record<string, string>>) {
        const res = await raw(h.url + path, headers);
        expect(res.status, path).toBe(200);
        expect(res.headers['content-encoding'], path).toBeUndefined();
        expect(Number(res.headers['content-length']), path).toBe(res.wire.length);
      }
    }
  });

  it('prefers brotli when the client accepts both, as browsers do', async () => {
    const res = await raw(`${h.url}/api/v1/capacity`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.headers['content-encoding']).toBe('br');
  });

  it('leaves a small body alone (below the threshold compression costs more than it saves)', async () => {
    const res = await raw(`${h.url}/healthz`, { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('answers a conditional request for the bundle with 304 and no body, compressed or not', async () => {
    const first = await raw(h.url + bundle, { 'accept-encoding': 'gzip' });
    const etag = String(first.headers.etag);
    expect(etag).not.toBe('undefined');
    const again = await raw(h.url + bundle, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.wire.length).toBe(0);
    expect(again.headers['content-encoding']).toBeUndefined();
  });

  it('agrees permessage-deflate for the live websocket when the client offers it', async () => {
    const extensions = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${h.url}/socket.io/?EIO=4&transport=websocket`, {
        headers: {
          ...bearer(),
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': Buffer.from('headroom-test-17').toString('base64'),
          'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
        },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        const value = res.headers['sec-websocket-extensions'];
        resolve(Array.isArray(value) ? value.join(', ') : value);
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(extensions).toMatch(/^permessage-deflate/);
    expect(extensions).toMatch(/server_no_context_takeover/);
    expect(extensions).toMatch(/server_max_window_bits=13/);
  });

  it('still sends readable JSON for a 413 (the size limit) and a 404 (the path) to a client that accepts compression', async () => {
    const big = JSON.stringify({ pods: 1, start: '2030-01-01', months: 1, pad: 'x'.repeat(20_000) });
    const tooLarge = await raw(
      `${h.url}/api/v1/what-if`,
      { 'accept-encoding': 'gzip, br', 'content-type': 'application/json' },
      'POST',
      big,
    );
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.text)).toMatchObject({ error: expect.stringMatching(/exceeds the limit/) });
    const bad = await raw(`${h.url}/api/v1/nope?${'q'.repeat(1500)}`, { 'accept-encoding': 'gzip' });
    expect(bad.status).toBe(404);
    expect(JSON.parse(bad.text)).toMatchObject({ error: expect.stringMatching(/^no route for GET/) });
  });
});
