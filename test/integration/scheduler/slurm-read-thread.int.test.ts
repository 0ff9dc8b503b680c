import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchedulerPoller } from '../../../server/src/pipeline/scheduler/scheduler-poller.js';
import { createSlurmReadThread } from '../../../server/src/pipeline/scheduler/slurm-read-thread.js';
import { fixture } from '../../fixtures/index.js';

/**
 * The Slurm read thread: a worker that dies mid-poll (a fault injected into the real worker:
 * workers/crashing-slurm-read.mjs) fails that poll with reason `worker`, not the process, and the
 * next poll runs on a new worker; errors keep their reason across the thread boundary. slurmrestd
 * is a loopback server serving the real answers (test/fixtures/slurm/).
 */
const real = (name: string): string => fixture(`slurm/v0.0.38-${name}.json`);

describe('the Slurm read thread', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = /\/slurm\/v0\.0\.38\/(nodes|jobs|reservations)$/.exec(req.url ?? '')?.[1];
      if (!name) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(real(name));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('counts a worker that died mid-poll as a failed poll (reason worker) and reads again on a new one', async () => {
    const thread = createSlurmReadThread({ deadlineMs: 60_000, workerUrl: new URL('./workers/crashing-slurm-read.mjs', import.meta.url) });
    const outcomes: string[] = [];
    let at = url;
    const poller = createSchedulerPoller({
      read: (atMs) => thread.read({ kind: 'rest', url: at, user: 'headroom', token: 't', timeoutMs: 10_000 }, atMs),
      intervalMs: 60_000,
      now: () => 1_000,
      onPoll: (o) => outcomes.push(o.ok ? 'ok' : o.reason),
    });
    try {
      await poller.pollNow();
      at = `${url}/crash`;
      await poller.pollNow();
      expect(poller.status().lastError?.message).toMatch(/Slurm read thread died: parser bug/);
      at = url;
      await poller.pollNow();
      expect(outcomes).toEqual(['ok', 'worker', 'ok']);
      expect(poller.latest()?.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3', 'n4']);
      expect(thread.restarts()).toBe(1);
    } finally {
      await thread.close();
    }
  });

  it("keeps a SchedulerPollError's reason across the thread boundary", async () => {
    const thread = createSlurmReadThread({ deadlineMs: 60_000 });
    try {
      const texts = { nodes: real('nodes-bad-token'), jobs: real('jobs'), reservations: real('reservations') };
      await expect(thread.read({ kind: 'texts', texts }, 1_000)).rejects.toMatchObject({
        name: 'SchedulerPollError',
        reason: 'slurm_error',
      });
      await expect(thread.read({ kind: 'texts', texts: { ...texts, jobs: '{"meta":' } }, 1_000)).rejects.toMatchObject({
        reason: 'malformed',
      });
      await expect(
        thread.read({ kind: 'rest', url: 'http://127.0.0.1:1', user: 'u', token: 't', timeoutMs: 2_000 }, 1_000),
      ).rejects.toMatchObject({
        reason: 'unreachable',
      });
    } finally {
      await thread.close();
    }
  });
});
