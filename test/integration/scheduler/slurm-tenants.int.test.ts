import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES } from '../../../server/src/domain/alerts/default-rules.js';
import { send } from '../alerts/api-client.js';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { GPUS_PER_NODE, SLURM_NODES, slurmUnavailable, startSlurm, TOKEN_USER, type RunningSlurm } from '../helpers/slurm.js';

/**
 * A real Slurm job under an account the TENANTS_FILE gives to a customer, on nodes no contract
 * sells: its GPUs read sold (a customer's allocation), the API counts customer work on unsold
 * capacity, and the default CustomerWorkOnUnsoldCapacity rule fires (its `for` set to 0: the
 * wall clock runs here).
 */
const unavailable = slurmUnavailable();
const IDLE = { utilizationPercent: 0, powerWatts: 70, memoryUsedMiB: 0 };

describe.skipIf(unavailable !== null)('tenants from a real Slurm', () => {
  let slurm: RunningSlurm;
  let h: TestHeadroom;

  async function round(): Promise<void> {
    const gpus = SLURM_NODES.flatMap((node) =>
      Array.from({ length: GPUS_PER_NODE }, (_, index) => ({
        ...{ uuid: `GPU-tenant-${node}-${index}`, host: node, index, model: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 },
        ...IDLE,
      })),
    );
    for (let i = 0; i < 2; i++) {
      expect((await h.post('/api/v1/ingest/json', JSON.stringify({ gpus }), 'application/json')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.scheduler?.pollNow();
    await h.collectAt(h.clock.now());
  }

  beforeAll(async () => {
    slurm = await startSlurm();
    const dir = tempDir();
    const file = join(dir, 'tenants.json');
    writeFileSync(
      file,
      JSON.stringify({
        internal: [{ team: 'research', accounts: ['train'] }],
        customers: [{ customer: 'Aurora Labs', accounts: ['aurora'] }],
      }),
    );
    h = await startTestHeadroom(
      {
        SIM: 'false',
        SLURM_REST_URL: slurm.restUrl,
        SLURM_USER: TOKEN_USER,
        SLURM_JWT: slurm.token,
        SLURM_POLL_S: '1',
        TENANTS_FILE: file,
      },
      dir,
    );
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await slurm?.stop();
  }, 60_000);

  it("reads a customer's job on unsold nodes sold, counts it, and fires CustomerWorkOnUnsoldCapacity", async () => {
    const rule = DEFAULT_ALERT_RULES.find((r) => r.name === 'CustomerWorkOnUnsoldCapacity');
    expect((await send(h, 'PUT', '/api/v1/alerts/rules', [{ ...rule, for: 0 }])).status).toBe(200);
    const id = slurm.submit(['--gres=gpu:4', '-w', 'n1', '-A', 'aurora']);
    for (;;) {
      const { jobs } = await slurm.get<{ jobs: Array<{ job_id: number; job_state: string }> }>('/slurm/v0.0.38/jobs');
      if (jobs.find((j) => j.job_id === id)?.job_state === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await round();
    const gpu = (await h.getJson<{ state: string; job: { tenant: unknown } }>('/api/v1/gpus/GPU-tenant-n1-0')).body;
    expect(gpu).toMatchObject({ state: 'sold', job: { tenant: { kind: 'customer', customer: 'Aurora Labs' } } });
    const tenants = (
      await h.getJson<{ tenants: { source: string; classes: { customer: { sold: number } }; customers: unknown[]; crossChecks: unknown } }>(
        '/api/v1/scheduler',
      )
    ).body.tenants;
    expect(tenants).toMatchObject({
      source: 'file',
      classes: { customer: { sold: 4 } },
      customers: [{ customer: 'Aurora Labs', gpus: 4, onUnsoldGpus: 4 }],
      crossChecks: { customerOnUnsoldGpus: 4, internalOnSoldGpus: 0 },
    });
    h.evaluateAlerts();
    const active = (await send(h, 'GET', '/api/v1/alerts')).body.active as Array<{ status: string; labels: Record<string, string> }>;
    expect(active).toContainEqual(
      expect.objectContaining({
        status: 'firing',
        labels: expect.objectContaining({ alertname: 'CustomerWorkOnUnsoldCapacity', customer: 'Aurora Labs' }),
      }),
    );
  });
});
