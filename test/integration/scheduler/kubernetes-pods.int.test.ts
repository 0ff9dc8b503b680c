import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startTestHeadroom, type TestHeadroom } from '../helpers/harness.js';

/**
 * Allocation from dcgm-exporter's pod labels over real HTTP: the fixture pushed to the ingest
 * endpoint, and the same text (hosts and UUIDs renamed) scraped from a real endpoint on loopback.
 */
const PODS = fixture('dcgm-exporter/k8s-pods-two-nodes.txt');
const SCRAPED = PODS.replaceAll('ip-100-64-147-149.ec2.internal', 'scraped-a')
  .replaceAll('gpu-b07.hpc.example', 'scraped-b')
  .replaceAll('GPU-', 'GPU-f');
/** Node A's GPUs 0–7 and node B's 0–1, by UUID as the fixture names them. */
const A = [
  'GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138',
  'GPU-4fc48812-c1c8-3bb7-1313-724533aa7df7',
  'GPU-8d76cfcf-a144-5e43-876b-a4b71f2aecd1',
  'GPU-e69a4117-e5f9-04a7-d170-aafac6a7e692',
  'GPU-eaef2c36-d7aa-5f60-37bc-3e0a53de34ff',
  'GPU-1af5cfae-1878-a06c-5dc0-c16e5cf11a20',
  'GPU-a0e6d978-c416-5df8-1ab9-eb27b31eab35',
  'GPU-bd2999a7-7982-6643-fa9e-2d1a2cd7be27',
];
const B = ['GPU-5b0e2c1a-9d47-4f3e-8a61-2c7d90e4b113', 'GPU-c3a1f6d2-07b8-4e95-b2d4-6f18a0c95e27'];

interface Gpu {
  state: string;
  toldBy: string;
  orphaned: boolean;
  job: { id: string; namespace: string | null; source: string; account: string } | null;
}

let exporter: Server;
let h: TestHeadroom;

beforeAll(async () => {
  exporter = createServer((_req, res) => res.end(SCRAPED));
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  h = await startTestHeadroom({ SIM: 'off', SCRAPE_TARGETS: `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics` });
});

afterAll(async () => {
  await h.stop();
  exporter.close();
});

const gpu = async (uuid: string): Promise<Gpu> => (await h.getJson<Gpu>(`/api/v1/gpus/${uuid}`)).body;
const summary = (g: Gpu) => [g.state, g.toldBy, g.orphaned, g.job && `${g.job.source}:${g.job.namespace}/${g.job.id}`];

describe('Kubernetes allocation from pod labels, pushed and scraped', () => {
  it('reads each pod’s GPUs busy by compute or held, the no-process pod’s GPU held, a GPU in use outside any pod orphaned', async () => {
    // Two pushes and two scrapes: telemetry needs two samples for a verdict; allocation does not.
    for (const t of [1, 2]) {
      const pushed = await h.post('/api/v1/ingest/dcgm', PODS, 'text/plain');
      expect(pushed.status).toBe(200);
      await h.collectAt(h.clock.now() + t);
    }
    const expected = [
      ['idle', 'scheduler', false, null],
      ['held', 'scheduler', true, null],
      ['held', 'scheduler', false, 'kubernetes:dynamo-workload/vllm-agg-0-vllmdecodeworker-dkb9q'],
      // No process, no memory: telemetry alone reads idle; its pod holds it.
      ['held', 'scheduler', false, 'kubernetes:dynamo-workload/vllm-agg-0-vllmprefillworker-x7k2p'],
      ...Array(4).fill(['busy', 'scheduler', false, 'kubernetes:research/llama-pretrain-worker-0']),
    ];
    for (const prefix of ['GPU-', 'GPU-f']) {
      const uuids = A.map((u) => u.replace('GPU-', prefix));
      expect(await Promise.all(uuids.map(async (u) => summary(await gpu(u))))).toEqual(expected);
      // Node B named no pod (only an hpc_job): telemetry tells it.
      const b = B.map((u) => u.replace('GPU-', prefix));
      expect(await Promise.all(b.map(async (u) => summary(await gpu(u))))).toEqual([
        ['busy', 'telemetry', false, null],
        ['idle', 'telemetry', false, null],
      ]);
    }
  });

  it('says which source told the allocation, in the scheduler report and the site counts', async () => {
    const report = (await h.getJson<Record<string, unknown>>('/api/v1/scheduler')).body;
    expect(report).toEqual({
      configured: false,
      kubernetes: { source: 'kubernetes', nodesCovered: 2, nodesUnderSlurm: 0, allocatedGpus: 12, pods: 6 },
    });
    const site = (await h.getJson<{ toldBy: { scheduler: number; telemetry: number } }>('/api/v1/fleet')).body;
    expect(site.toldBy.scheduler).toBe(16);
  });

  it.each([
    [
      'namespace',
      'namespace="research"',
      'namespace="Research"',
      400,
      /line \d+: label namespace "Research" is not a Kubernetes namespace name/,
    ],
    ['pod', 'pod="llama-pretrain-worker-0"', `pod="${'p'.repeat(300)}"`, 400, /line \d+: label pod "p+…" is not a Kubernetes pod name/],
    ['pod', 'pod="llama-pretrain-worker-0"', `pod="${'p'.repeat(5000)}"`, 413, /line \d+: value of label pod longer than \d+ characters/],
    ['container', 'container="trainer"', 'container="trainer_1"', 400, /line \d+: label container "trainer_1"/],
  ])('refuses a push with a bad %s label, naming it, and stores nothing of it', async (_field, from, to, status, message) => {
    const bad = PODS.replaceAll('GPU-', 'GPU-bad').replace(from, to);
    const res = await h.post('/api/v1/ingest/dcgm', bad, 'text/plain');
    expect(res.status).toBe(status);
    expect(String(res.body.error)).toMatch(message);
    expect((await h.getJson(`/api/v1/gpus/${A[0]?.replace('GPU-', 'GPU-bad')}`)).status).toBe(404);
  });
});
