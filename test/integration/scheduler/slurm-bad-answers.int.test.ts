import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../fixtures/index.js';
import { authedFetch } from '../helpers/auth.js';
import { startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

/**
 * slurmrestd answering badly — the real answers (test/fixtures/slurm/) cut short, garbled, from
 * another API version, 401/403, or never — is named in /api/v1/scheduler and counted on /metrics,
 * and the process keeps serving. The answers come from a loopback server standing in for slurmrestd.
 */
type Mode = 'real' | 'truncated' | 'garbage' | 'version' | '401' | '403' | 'hang' | 'slurm-error';

const real = (name: string): string => fixture(`slurm/v0.0.38-${name}.json`);

describe('slurmrestd answering badly', () => {
  let mode: Mode = 'real';
  let server: Server;
  let h: TestHeadroom;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = /\/slurm\/v0\.0\.38\/(nodes|jobs|reservations)$/.exec(req.url ?? '')?.[1];
      if (!name) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Unable find requested URL.');
      const body = real(name);
      if (mode === 'hang') return; // never answers: the poll's timeout ends it
      if (mode === '401' || mode === '403')
        return void res.writeHead(Number(mode), { 'content-type': 'text/plain' }).end('Authentication failure');
      if (mode === 'slurm-error') return void res.writeHead(500, { 'content-type': 'application/json' }).end(real('nodes-bad-token'));
      const text =
        mode === 'truncated'
          ? body.slice(0, Math.floor(body.length / 2))
          : mode === 'garbage'
            ? '<html>proxy error</html>'
            : mode === 'version'
              ? body.replace('openapi\\/v0.0.38', 'openapi\\/v0.0.40')
              : body;
      res.writeHead(200, { 'content-type': 'application/json' }).end(text);
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    h = await startTestHeadroom({
      SIM: 'false',
      SLURM_REST_URL: `http://127.0.0.1:${port}`,
      SLURM_USER: 'headroom',
      SLURM_JWT: 'test-token',
      SLURM_TIMEOUT_S: '2',
    });
  });

  afterAll(async () => {
    await h?.stop();
    server?.closeAllConnections();
    server?.close();
  });

  const report = async () =>
    (
      await h.getJson<{ health: { state: string; reason: string | null }; lastError: { reason: string; message: string } | null }>(
        '/api/v1/scheduler',
      )
    ).body;
  const errorsOf = async (reason: string): Promise<number> => {
    const text = await (await authedFetch(`${h.url}/metrics`)).text();
    return Number(new RegExp(`headroom_scheduler_poll_errors_total\\{reason="${reason}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? Number.NaN);
  };

  it('names jobs and nodes the topology lacks as degraded, not as a failure', async () => {
    mode = 'real';
    await h.scheduler?.pollNow();
    await h.collectAt(h.clock.now());
    const r = await report();
    expect(r.health.state).toBe('degraded');
    expect(r.health.reason).toMatch(
      /4 scheduler nodes not in the topology \(n1, n2, n3, n4\); 4 running jobs on nodes not in the topology/,
    );
  });

  it.each([
    ['truncated', 'malformed', /not JSON/],
    ['garbage', 'malformed', /not JSON/],
    ['version', 'version', /openapi\/v0\.0\.40, Headroom reads openapi\/v0\.0\.38/],
    ['401', 'auth', /HTTP 401/],
    ['403', 'auth', /HTTP 403/],
    ['hang', 'timeout', /no answer in 2000 ms/],
    ['slurm-error', 'slurm_error', /Unspecified error/],
  ] as const)('%s → health names %s, the metric counts it, the process keeps serving', async (m, reason, message) => {
    mode = m;
    const before = await errorsOf(reason);
    await h.scheduler?.pollNow();
    await h.collectAt(h.clock.now());
    const r = await report();
    expect(r.health.state).toBe('failing');
    expect(r.lastError?.reason).toBe(reason);
    expect(r.lastError?.message).toMatch(message);
    expect(await errorsOf(reason)).toBe(before + 1);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await h.getJson('/api/v1/fleet')).status).toBe(200);
  });
});
