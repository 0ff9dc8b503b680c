import { connect, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

/**
 * Issue 16 item 10: refusals cost the refused little. A request refused before its body was
 * read closes its connection (a body trickled a byte at a time kept the socket, and a worker
 * slot of the client's choosing, open after the 401); bad credentials from one address are
 * answered 429 past AUTH_FAILURE_LIMIT_PER_MIN; and HTTP_MAX_CONNECTIONS caps open connections.
 * Linux routes all of 127/8 to loopback, so 127.0.0.x source addresses stand for distinct clients.
 */
const BAD_TOKEN = 'hr_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
let h: TestHeadroom;
const sockets: Socket[] = [];
const agents: Agent[] = [];

beforeAll(async () => {
  h = await startTestHeadroom({ AUTH_FAILURE_LIMIT_PER_MIN: '5', HTTP_MAX_CONNECTIONS: '20' });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(agents.map((a) => a.close()));
  await h?.stop();
});

function open(from?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: h.port, ...(from ? { localAddress: from } : {}) }, () => resolve(socket));
    sockets.push(socket);
    socket.once('error', reject);
  });
}

/** Resolves with the ms from the first byte of the answer to the socket's close (or null if it stayed open `waitMs`). */
function closedAfterAnswer(socket: Socket, waitMs: number): Promise<{ answer: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    let answer = '';
    let answeredAt = 0;
    socket.on('data', (chunk: Buffer) => {
      answeredAt ||= Date.now();
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => resolve({ answer, closedAfterMs: null }), waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: answeredAt ? Date.now() - answeredAt : null });
    });
  });
}

async function status(path: string, options: { token?: string; from: string }): Promise<{ status: number; text: string }> {
  const agent = new Agent({ localAddress: options.from });
  agents.push(agent);
  const res = await request(h.url + path, { dispatcher: agent, headers: options.token ? bearer(options.token) : {} });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('a refused request with a body still coming (issue 16 item 10)', () => {
  it('closes the connection within a second of the 401, though the body trickles on', async () => {
    const socket = await open();
    socket.write(
      'POST /api/v1/ingest/json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 300);
    const { answer, closedAfterMs } = await closedAfterAnswer(socket, 3_000);
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs).toBeLessThan(1_000);
  });
});

describe('failed authentications per address (AUTH_FAILURE_LIMIT_PER_MIN)', () => {
  it('answers 429 to an address past the limit, naming it, while a good token from another address still works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await status('/api/v1/fleet', { token: BAD_TOKEN, from: '127.0.0.2' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const refused = await status('/api/v1/fleet', { token: BAD_TOKEN, from: '127.0.0.2' });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({ error: expect.stringMatching(/AUTH_FAILURE_LIMIT_PER_MIN/) });
    // The address is refused before its credentials are checked: guessing goes no further.
    expect((await status('/api/v1/fleet', { token: ADMIN_TOKEN, from: '127.0.0.2' })).status).toBe(429);
    expect((await status('/api/v1/fleet', { token: ADMIN_TOKEN, from: '127.0.0.3' })).status).toBe(200);
  });

  it('does not count requests without credentials (a dashboard before sign-in)', async () => {
    for (let i = 0; i < 8; i++) expect((await status('/api/v1/fleet', { from: '127.0.0.4' })).status).toBe(401);
    expect((await status('/api/v1/fleet', { token: ADMIN_TOKEN, from: '127.0.0.4' })).status).toBe(200);
  });
});

describe('HTTP_MAX_CONNECTIONS', () => {
  let capped: TestHeadroom;
  beforeAll(async () => {
    capped = await startTestHeadroom({ HTTP_MAX_CONNECTIONS: '3' });
  });
  afterAll(async () => {
    // Idle raw sockets would hold the drain open.
    for (const s of sockets) s.destroy();
    await capped?.stop();
  });

  const dial = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: capped.port }, () => resolve(socket));
      sockets.push(socket);
      socket.once('error', reject);
    });
  const answers = async (socket: Socket): Promise<boolean> => {
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    return /^HTTP\/1\.1 200 /.test((await closedAfterAnswer(socket, 500)).answer);
  };

  it('closes connections beyond the cap at once, and admits again once one closes', async () => {
    const held = [await dial(), await dial(), await dial()];
    const beyond = await dial();
    expect((await closedAfterAnswer(beyond, 1_000)).answer).toBe('');
    expect(beyond.destroyed).toBe(true);
    for (const s of held.slice(1)) expect(await answers(s)).toBe(true);
    held[0]?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await answers(await dial())).toBe(true);
  });
});
