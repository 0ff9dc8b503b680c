import { describe, expect, it } from 'vitest';
import { gpuModelAt } from '../../../server/src/domain/fleet/gpu-models.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { BUSY_ACTIVITY, classifySample, SampleClass, sampleActivity } from '../../../server/src/domain/fleet/utilization.js';
import { busyPowerWatts, powerProfileOf } from '../../../server/src/sim/gpu-power.js';
import { ANCHOR_MS, createSimulator, DCGM_FAMILIES, type Simulator } from '../../../server/src/sim/simulator.js';
import { HOUR_MS, readExposition, readGpus, reading, smallSite } from './exposition.js';

const H100 = gpuModelAt(0);
const TICK_MS = 10_000;

/** The per-sample class a GPU in each truth state must show (drained nodes aside). */
const EXPECTED_CLASS: Record<number, number> = {
  [GpuState.busy]: SampleClass.busy,
  [GpuState.sold]: SampleClass.busy,
  [GpuState.held]: SampleClass.held,
  [GpuState.idle]: SampleClass.idle,
  [GpuState.down]: SampleClass.invalid,
};

/** Advances `ticks` ticks from t0 and checks every GPU's parsed sample; returns samples seen per truth state. */
function checkTicks(sim: Simulator, t0: number, ticks: number): Map<number, number> {
  const seen = new Map<number, number>();
  for (let k = 0; k < ticks; k++) {
    sim.advance(t0 + k * TICK_MS);
    const drained = new Set(sim.nodeStatuses().map((s) => s.host));
    for (const node of sim.topology.nodes) {
      const gpus = readGpus(sim.renderNode(node.index));
      expect(gpus.size).toBe(node.slots.length);
      for (const [g, gpu] of gpus) {
        const slot = node.slots[g] ?? -1;
        const truth = sim.truthStateOf(slot);
        const cls = classifySample(reading(gpu, 'GPU_UTIL'), reading(gpu, 'POWER_USAGE'), reading(gpu, 'FB_USED'), H100);
        const expected = drained.has(node.host) ? SampleClass.idle : EXPECTED_CLASS[truth];
        if (cls !== expected) throw new Error(`${node.host} gpu ${g} at tick ${k}: truth ${truth}, sample class ${cls}`);
        seen.set(truth, (seen.get(truth) ?? 0) + 1);
      }
    }
  }
  return seen;
}

/** First tick start at or after `from` (stepping by `stepMs`) where the predicate holds for the site rollup. */
function findTime(
  sim: Simulator,
  from: number,
  stepMs: number,
  steps: number,
  holds: (counts: { held: number; down: number }) => boolean,
): number {
  for (let i = 0; i < steps; i++) {
    const t = from + i * stepMs;
    const site = sim.aggregateAt(t)[0];
    if (site && holds(site.counts)) return t;
  }
  throw new Error('no such time in range');
}

describe('simulated telemetry', () => {
  it('classifies every rendered sample as its GPU truth state over 300 ticks of the small site', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 11 });
    const withHeld = findTime(sim, ANCHOR_MS - 20 * 24 * HOUR_MS, 60_000, 10_000, (c) => c.held > 0);
    const seen = checkTicks(sim, withHeld - 150 * TICK_MS, 300);
    expect(seen.get(GpuState.busy)).toBeGreaterThan(0);
    expect(seen.get(GpuState.held)).toBeGreaterThan(0);
    expect(seen.get(GpuState.idle)).toBeGreaterThan(0);
  });

  it('reports the GPUs of failed nodes with blank sentinels and XID 79, classified as no reading', () => {
    const topology = smallSite();
    const sim = createSimulator({ topology, scenario: 'failures', seed: 5, scenarioParams: { failureWaveShare: 0.2 } });
    const seen = checkTicks(sim, ANCHOR_MS - 20 * TICK_MS, 220);
    expect(seen.get(GpuState.down)).toBeGreaterThan(0);
    const failed = topology.nodes.find((n) => sim.truthStateOf(n.slots[0] ?? 0) === GpuState.down);
    if (!failed) throw new Error('expected a failed node at the end of the run');
    const text = sim.renderNode(failed.index);
    expect(text).toContain('} 9223372036854775794\n');
    expect(text).toContain('} 140737488355328.000000\n');
    for (const gpu of readGpus(text).values()) {
      expect(reading(gpu, 'XID_ERRORS')).toBe(79);
      expect(reading(gpu, 'POWER_USAGE')).toBeNaN();
      expect(reading(gpu, 'GPU_UTIL')).toBeNaN();
    }
  });

  it('shows a pod drained for maintenance as idle-looking telemetry and lists its nodes as drained', () => {
    const topology = smallSite();
    const sim = createSimulator({ topology, scenario: 'flat', seed: 3, scenarioParams: { nodeFailuresPerDay: 0 } });
    const t = findTime(sim, ANCHOR_MS, HOUR_MS, 24 * 120, (c) => c.down > 0);
    sim.advance(t);
    const statuses = sim.nodeStatuses();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s.drained && s.reason === 'maintenance')).toBe(true);
    expect(sim.truthCounts().down).toBe(statuses.length * 8);
    const node = topology.nodes[topology.nodeByHost.get(statuses[0]?.host ?? '') ?? -1];
    if (!node) throw new Error('drained host not in topology');
    for (const gpu of readGpus(sim.renderNode(node.index)).values()) {
      expect(reading(gpu, 'FB_USED')).toBe(0);
      expect(reading(gpu, 'SM_CLOCK')).toBe(345);
      expect(reading(gpu, 'POWER_USAGE')).toBeLessThanOrEqual(74);
    }
    checkTicks(sim, t, 3);
  });

  it('keeps every sample inside the real H100 ranges of its state (the H200 hall: same power, its own 143,771 MiB)', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'flat', seed: 8 });
    for (let k = 0; k < 60; k++) {
      sim.advance(ANCHOR_MS + 7 * HOUR_MS + k * TICK_MS);
      for (const node of sim.topology.nodes) {
        for (const [g, gpu] of readGpus(sim.renderNode(node.index))) {
          const truth = sim.truthStateOf(node.slots[g] ?? 0);
          const power = reading(gpu, 'POWER_USAGE');
          const memory = reading(gpu, 'FB_USED');
          expect(reading(gpu, 'FB_FREE') + memory).toBe(gpuModelAt(node.modelIndex).key === 'H200-SXM' ? 143_771 : 81_559);
          if (truth === GpuState.idle) {
            expect([power >= 66 && power <= 74, memory, reading(gpu, 'GPU_UTIL'), reading(gpu, 'SM_CLOCK')]).toEqual([true, 0, 0, 345]);
          } else if (truth === GpuState.held) {
            expect(power >= 116 && power <= 145 && memory >= 700 && memory <= 80_000).toBe(true);
            expect([reading(gpu, 'GPU_UTIL'), reading(gpu, 'SM_CLOCK')]).toEqual([0, 1980]);
          } else if (truth === GpuState.busy || truth === GpuState.sold) {
            expect(power > 220 && power <= 700 && memory >= 700).toBe(true);
          }
        }
      }
    }
  });

  it('keeps a busy sample at duty 0.3 above BUSY_ACTIVITY even when its utilization aliases to 0 %', () => {
    const profile = powerProfileOf(H100);
    const worst = busyPowerWatts(profile.heldLoW, 0.3, -profile.busyNoiseW, profile);
    expect(sampleActivity(2, worst, H100)).toBeGreaterThanOrEqual(BUSY_ACTIVITY);
    expect(sampleActivity(0, worst, H100)).toBeGreaterThanOrEqual(BUSY_ACTIVITY);
  });

  it('serves each family with HELP and TYPE, labels in the exporter order, and power with six decimals', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'decline', seed: 2 });
    sim.advance(ANCHOR_MS);
    const { lines, comments } = readExposition(sim.renderNode(0));
    expect(new Set(lines.map((l) => l.family))).toEqual(new Set(DCGM_FAMILIES));
    expect(DCGM_FAMILIES.length).toBeGreaterThanOrEqual(6);
    for (const family of DCGM_FAMILIES) {
      expect(comments).toContain(`# TYPE ${family} gauge`);
      expect(comments.some((c) => c.startsWith(`# HELP ${family} `))).toBe(true);
    }
    for (const line of lines) {
      expect(line.labels.slice(0, 7).map(([k]) => k)).toEqual([
        'gpu',
        'UUID',
        'pci_bus_id',
        'device',
        'modelName',
        'Hostname',
        'DCGM_FI_DRIVER_VERSION',
      ]);
      const pattern = /POWER_USAGE|GR_ENGINE_ACTIVE/.test(line.family) ? /^\d+\.\d{6}$/ : /^\d+$/;
      expect(line.raw).toMatch(pattern);
    }
    const first = lines[0]?.labels ?? [];
    expect(first.find(([k]) => k === 'UUID')?.[1]).toBe(sim.uuidOf(0));
    expect(first.find(([k]) => k === 'Hostname')?.[1]).toBe('h01-p001-n01');
  });

  it('labels the GPUs of internal inference pods with container, namespace, pod and an empty pod_uid', () => {
    const sim = createSimulator({ topology: smallSite(), scenario: 'flat', seed: 4 });
    sim.advance(ANCHOR_MS + 15 * HOUR_MS);
    const texts = sim.topology.nodes.map((n) => sim.renderNode(n.index));
    const serving = texts.find((t) => t.includes('pod="'));
    if (!serving) throw new Error('expected an inference node in use');
    for (const line of readExposition(serving).lines) {
      const keys = line.labels.map(([k]) => k);
      expect(keys.slice(7)).toEqual(['container', 'namespace', 'pod', 'pod_uid']);
      expect(line.labels.find(([k]) => k === 'pod_uid')?.[1]).toBe('');
    }
    expect(texts.some((t) => !t.includes('pod="'))).toBe(true);
  });
});
