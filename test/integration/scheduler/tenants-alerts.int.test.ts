import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHeadroom, tempDir, type TestHeadroom } from '../helpers/harness.js';
import { listenPort } from '../helpers/listen-port.js';

/**
 * The cross-checks fire as real alerts, with the default rules, on a server reading its own
 * simulated slurmrestd: a TENANTS_FILE makes the `pretrain` account a customer (its jobs run on
 * pods the demo book does not sell) and Aurora Labs' account an internal team (its jobs run on
 * the pods the book sold to Aurora Labs).
 */
type Alert = { status: string; labels: Record<string, string>; annotations: Record<string, string> };

let h: TestHeadroom;
beforeAll(async () => {
  const dir = tempDir();
  const file = join(dir, 'tenants.json');
  writeFileSync(
    file,
    JSON.stringify({
      internal: [
        { team: 'rl', accounts: ['rl'] },
        { team: 'eval', accounts: ['eval'] },
        { team: 'inference', accounts: ['inference'] },
        { team: 'moonlight', accounts: ['aurora-labs'] },
      ],
      customers: [{ customer: 'Pretrain Co', accounts: ['pretrain'] }],
    }),
  );
  const port = await listenPort();
  h = await startTestHeadroom(
    {
      PORT: String(port),
      SIM_CONTRACTS: 'demo',
      // 1 s of the wall is ≈ 17 minutes of the collection clock: the rules' `for` passes in seconds.
      SIM_SPEED: '1000',
      PUBLIC_READ: 'true',
      SLURM_REST_URL: `http://127.0.0.1:${port}/sim/slurm`,
      SLURM_USER: 'headroom',
      SLURM_JWT: 'ignored-by-the-simulator',
      SLURM_STALE_AFTER_S: '86400',
      TENANTS_FILE: file,
    },
    dir,
  );
});
afterAll(async () => {
  await h.stop();
});

/** Two rounds (a verdict's two samples) around a poll of the simulated slurmrestd, then the rules. */
async function roundAndEvaluate(): Promise<void> {
  const t = Math.floor(h.clock.now() / 10_000) * 10_000;
  await h.collectAt(t - 10_000);
  await h.scheduler?.pollNow();
  await h.collectAt(t);
  h.evaluateAlerts();
}

describe('cross-check alerts', () => {
  it('fire InternalWorkOnSoldCapacity per team and CustomerWorkOnUnsoldCapacity per customer with the default rules', async () => {
    await roundAndEvaluate();
    const tenants = (await h.getJson<{ tenants: { source: string; crossChecks: Record<string, number> } }>('/api/v1/scheduler')).body
      .tenants;
    expect(tenants.source).toBe('file');
    expect(tenants.crossChecks.internalOnSoldGpus).toBeGreaterThan(0);
    expect(tenants.crossChecks.customerOnUnsoldGpus).toBeGreaterThan(0);
    const started = h.clock.now();
    // Past the longer `for` (15 min of the collection clock), rounds and evaluations on the way.
    while (h.clock.now() < started + 16 * 60_000) {
      await new Promise((r) => setTimeout(r, 200));
      await roundAndEvaluate();
    }
    const active = (await h.getJson<{ active: Alert[] }>('/api/v1/alerts')).body.active.filter((a) => a.status === 'firing');
    const internal = active.find((a) => a.labels.alertname === 'InternalWorkOnSoldCapacity');
    expect(internal?.labels).toMatchObject({ internal_team: 'moonlight', severity: 'critical' });
    expect(internal?.annotations.summary).toMatch(/^team moonlight runs on [\d,]+ GPUs of capacity sold to customers$/);
    const customer = active.find((a) => a.labels.alertname === 'CustomerWorkOnUnsoldCapacity');
    expect(customer?.labels).toMatchObject({ customer: 'Pretrain Co', severity: 'warning' });
    expect(customer?.annotations.summary).toMatch(/^Pretrain Co runs on [\d,]+ GPUs the contract book says are unsold$/);
  });
});
