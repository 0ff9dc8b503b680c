import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { parseNvidiaSmiCsv } from '../../../server/src/pipeline/ingest/nvidia-smi-csv.js';
import { decodeBatch, encodeBatch } from '../../../server/src/pipeline/store/journal-codec.js';
import { tinyTopology } from '../fleet/builders.js';

const HOST = 'h01-p001-n01';
const UUID = 'GPU-02df41d3-4f7b-58e5-cf54-f1b3e4402795';
const HEADER =
  'timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W], power.limit [W], enforced.power.limit [W]';

/** An H100 row in the fixture's format (fixtures/nvidia-smi), at `limit` W software limit and `enforced` W enforced. */
const row = (second: number, util: number, draw: number, limit: string, enforced: string): string =>
  `2026/11/27 00:37:${String(second).padStart(2, '0')}.000, 0, ${UUID}, NVIDIA H100 80GB HBM3, ${util} %, 70000 MiB, 81559 MiB, ${draw} W, ${limit}, ${enforced}`;

describe('the enforced power limit from the parsers', () => {
  it('reads an H100 capped at 400 W by enforced.power.limit and drawing 390 W as busy ≥ 0.9 through the nvidia-smi CSV parser', () => {
    const text = [
      HEADER,
      row(1, 97, 389.5, '400.00 W', '400.00 W'),
      row(2, 98, 390.2, '400.00 W', '400.00 W'),
      row(3, 96, 390, '400.00 W', '400.00 W'),
    ].join('\n');
    const parsed = parseNvidiaSmiCsv(text, { host: HOST });
    expect(parsed.samples.map((s) => s.powerLimitWatts)).toEqual([400, 400, 400]);
    const state = createFleetState(tinyTopology());
    applyBatch(state, parsed, 10_000);
    classifyFleet(state, 10_000, 30_000);
    const slot = state.slotByUuid.get(UUID) ?? -1;
    expect(state.state[slot]).toBe(GpuState.busy);
    // Mean of (u + (P − 70) / 330) / 2 over the three rows: ≈ 0.97.
    expect(state.utilization[slot]).toBeGreaterThanOrEqual(0.9);
  });

  it('prefers enforced.power.limit to power.limit, and takes power.limit when only it is queried', () => {
    const both = parseNvidiaSmiCsv([HEADER, row(1, 50, 300, '700.00 W', '450.00 W')].join('\n'), { host: HOST });
    expect(both.samples[0]?.powerLimitWatts).toBe(450);
    const header = 'uuid, utilization.gpu [%], power.draw [W], power.limit [W]';
    const one = parseNvidiaSmiCsv([header, `${UUID}, 50 %, 300 W, 500.00 W`].join('\n'), { host: HOST });
    expect(one.samples[0]?.powerLimitWatts).toBe(500);
    const none = parseNvidiaSmiCsv([header, `${UUID}, 50 %, 300 W, [N/A]`].join('\n'), { host: HOST });
    expect(none.samples[0]?.powerLimitWatts).toBeNull();
  });

  it('reads DCGM_FI_DEV_ENFORCED_POWER_LIMIT before DCGM_FI_DEV_POWER_MGMT_LIMIT, and refuses a limit past 5,000 W', () => {
    const labels = `gpu="0",UUID="${UUID}",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="${HOST}"`;
    const text = [
      `DCGM_FI_DEV_POWER_USAGE{${labels}} 390.000000`,
      `DCGM_FI_DEV_POWER_MGMT_LIMIT{${labels}} 700.000000`,
      `DCGM_FI_DEV_ENFORCED_POWER_LIMIT{${labels}} 400.000000`,
    ].join('\n');
    expect(parseDcgmText(text).samples[0]?.powerLimitWatts).toBe(400);
    expect(parseDcgmText(text.split('\n').slice(0, 2).join('\n')).samples[0]?.powerLimitWatts).toBe(700);
    expect(parseDcgmText(text.split('\n')[0] ?? '').samples[0]?.powerLimitWatts).toBeNull();
    expect(() => parseDcgmText(`DCGM_FI_DEV_POWER_MGMT_LIMIT{${labels}} 6000`)).toThrow(/out of range/);
  });

  it('keeps the limit through the ingest journal, and reads batches journaled before it', () => {
    const sample = {
      uuid: UUID,
      host: HOST,
      index: 0,
      modelName: 'NVIDIA H100 80GB HBM3',
      utilPercent: 97,
      powerWatts: 390,
      memUsedMiB: 70_000,
      memTotalMiB: 81_559,
      xid: 0,
      offsetMs: 0,
    };
    const withLimit = { samples: [{ ...sample, powerLimitWatts: 400 }], nodes: [], meters: [] };
    expect(decodeBatch(encodeBatch(withLimit))).toEqual(withLimit);
    const pod = { namespace: 'ns', pod: 'p', container: null, hpcJob: null };
    const both = { samples: [{ ...sample, pod, powerLimitWatts: 400 }], nodes: [], meters: [] };
    expect(decodeBatch(encodeBatch(both))).toEqual(both);
    // A batch written before the limit existed: ten fields, no limit.
    const old = `{"v":1,"s":[["${UUID}","${HOST}",0,"NVIDIA H100 80GB HBM3",97,390,70000,81559,0,0]],"n":[],"m":[]}`;
    expect(decodeBatch(old).samples[0]).toEqual(sample);
  });
});
