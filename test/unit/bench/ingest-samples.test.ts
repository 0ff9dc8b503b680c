import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { countSeriesLines } from '../../bench/lib/exposition.js';
import {
  baselineParse,
  benchSimulator,
  BENCH_TICK_MS,
  oursIngest,
  oursState,
  renderPayloads,
  type Payloads,
} from '../../bench/lib/ingest-workload.js';

/** A DCGM blank as the exporter prints it (≥ 2^31 − 16): both read it as "no value". */
const isBlank = (v: number): boolean => v >= 2_147_483_632;

let topology: Topology;
let payloads: Payloads;
/** GPUs of each payload's node: 8 on an HGX node, 4 on a GB200 tray (the last two payloads). */
let gpusOf: number[];
const PAYLOADS = 24;
const STRIDE = 12 * 97;
beforeAll(() => {
  topology = buildPreset('colossus');
  // Benchmark 1's own payloads (every 12th node), a handful of them.
  payloads = renderPayloads(benchSimulator(topology), PAYLOADS, STRIDE);
  gpusOf = Array.from({ length: PAYLOADS }, (_, k) => topology.nodes[(k * STRIDE) % topology.nodes.length]?.slots.length ?? 0);
});

describe("benchmark 1's workload", () => {
  it("is real per-node exporter text: each of the node's GPUs (8, or a GB200 tray's 4) × 8 families of one node each", () => {
    expect(new Set(gpusOf)).toEqual(new Set([8, 4]));
    payloads.texts.forEach((text, i) => {
      const families = parsePrometheusTextFormat(text);
      expect(families).toHaveLength(8);
      const hosts = new Set(families.flatMap((f) => f.metrics.map((m) => m.labels?.Hostname)));
      expect(hosts.size).toBe(1);
      expect(families.every((f) => f.metrics.length === gpusOf[i])).toBe(true);
    });
  });

  it('counts the same samples as the baseline parser produces, for every payload', () => {
    payloads.texts.forEach((text, i) => {
      expect(countSeriesLines(text)).toBe(payloads.series[i]);
      expect(baselineParse(text)).toBe(payloads.series[i]);
    });
    expect(payloads.totalSeries).toBe(8 * gpusOf.reduce((a, b) => a + b, 0));
  });

  it('gives ours and the baseline the same values for every GPU field ours reads', () => {
    for (const [i, text] of payloads.texts.entries()) {
      const ours = new Map(parseDcgmText(text).samples.map((s) => [s.uuid, s]));
      expect(ours.size).toBe(gpusOf[i]);
      const byFamily = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f.metrics]));
      const check = (family: string, field: 'utilPercent' | 'powerWatts' | 'memUsedMiB' | 'xid') => {
        for (const m of byFamily.get(family) ?? []) {
          const sample = ours.get(m.labels?.UUID ?? '');
          expect(sample, `${family} ${m.labels?.UUID}`).toBeDefined();
          const v = Number(m.value);
          expect(sample?.[field]).toBe(isBlank(v) ? null : v);
        }
      };
      check('DCGM_FI_DEV_GPU_UTIL', 'utilPercent');
      check('DCGM_FI_DEV_POWER_USAGE', 'powerWatts');
      check('DCGM_FI_DEV_FB_USED', 'memUsedMiB');
      check('DCGM_FI_DEV_XID_ERRORS', 'xid');
      for (const m of byFamily.get('DCGM_FI_DEV_FB_FREE') ?? []) {
        const sample = ours.get(m.labels?.UUID ?? '');
        const used = byFamily.get('DCGM_FI_DEV_FB_USED')?.find((u) => u.labels?.UUID === m.labels?.UUID);
        const [free, usedMiB] = [Number(m.value), Number(used?.value)];
        expect(sample?.memTotalMiB).toBe(isBlank(free) || isBlank(usedMiB) ? null : free + usedMiB);
      }
    }
  });

  it("applies every GPU of every payload to the fleet state, each at its own slot, with the baseline's power", () => {
    const state = oursState(topology);
    const nowMs = BENCH_TICK_MS + 10_000;
    let applied = 0;
    for (const text of payloads.texts) applied += oursIngest(state, text, nowMs);
    expect(applied).toBe(gpusOf.reduce((a, b) => a + b, 0));
    const power = parsePrometheusTextFormat(payloads.texts[0] ?? '').find((f) => f.name === 'DCGM_FI_DEV_POWER_USAGE');
    for (const m of power?.metrics ?? []) {
      const slot = state.slotByUuid.get(m.labels?.UUID ?? '');
      expect(slot).toBeDefined();
      const at = (slot ?? 0) * state.windowSize; // first sample of the slot's ring
      expect(state.timeRing[at]).toBe(nowMs);
      const v = Number(m.value);
      if (!isBlank(v)) expect(state.powerRing[at]).toBe(v);
    }
  });
});
