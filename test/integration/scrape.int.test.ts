import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startTestHeadroom, type TestHeadroom } from './helpers/harness.js';

/**
 * Real dcgm-exporter endpoints on loopback: one healthy (the real fixture), one that turns to
 * garbage, one answering 500 and one that hangs past the scrape timeout.
 */
const GOOD = fixture('dcgm-exporter/h100-node-sampled.txt');
// A second node: the fixture with its host and UUIDs renamed.
const FLAKY = GOOD.replaceAll('ip-100-64-147-149.ec2.internal', 'flaky-node').replaceAll('GPU-', 'GPU-f');
const GOOD_GPU = 'GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138';
const FLAKY_GPU = 'GPU-f81d79b08-40a0-40ae-3fc5-82b8ff8b8138';

let flakyServesGarbage = false;
let exporters: Server;
let h: TestHeadroom;
const hanging: Array<() => void> = [];

beforeAll(async () => {
  exporters = createServer((req, res) => {
    if (req.url === '/good') res.end(GOOD);
    else if (req.url === '/flaky') res.end(flakyServesGarbage ? 'DCGM_FI_DEV_GPU_UTIL{gpu="0" oops\n' : FLAKY);
    else if (req.url === '/error') res.writeHead(500).end('boom');
    else hanging.push(() => res.end());
  });
  await new Promise<void>((resolve) => exporters.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(exporters.address() as AddressInfo).port}`;
  h = await startTestHeadroom({
    SIM: 'off',
    SCRAPE_TARGETS: ['good', 'flaky', 'error', 'hang'].map((p) => `${base}/${p}`).join(','),
    SCRAPE_TIMEOUT_MS: '300',
  });
});

afterAll(async () => {
  await h.stop();
  for (const release of hanging) release();
  exporters.close();
});

const stateOf = async (uuid: string) => (await h.getJson<{ state: string }>(`/api/v1/gpus/${uuid}`)).body.state;

describe('scraping real dcgm-exporter endpoints', () => {
  it('reads healthy targets and counts the failing ones without stopping', async () => {
    const round = await h.collectAt(h.clock.now());
    expect(round).toMatchObject({ targets: 4, failed: 2, samples: 16 });
    expect(await stateOf(GOOD_GPU)).toBe('idle'); // startup round plus this one: two samples
    expect(await stateOf(FLAKY_GPU)).toBe('idle');
  });

  it('turns a target’s GPUs unknown at once when it serves garbage, leaving the others alone', async () => {
    flakyServesGarbage = true;
    const round = await h.collectAt(h.clock.now() + 1);
    expect(round.failed).toBe(3);
    expect(await stateOf(FLAKY_GPU)).toBe('unknown');
    expect(await stateOf(GOOD_GPU)).toBe('idle');
    const fleet = (await h.getJson<{ gpus: { total: number; unknown: number } }>('/api/v1/fleet')).body;
    // 384 preset GPUs no source reports, plus the flaky node's 8.
    expect(fleet.gpus.unknown).toBe(384 + 8);
  });

  it('reads the target again once it recovers', async () => {
    flakyServesGarbage = false;
    await h.collectAt(h.clock.now() + 2);
    await h.collectAt(h.clock.now() + 3);
    expect(await stateOf(FLAKY_GPU)).toBe('idle');
  });
});
