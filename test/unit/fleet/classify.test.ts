import { describe, expect, it } from 'vitest';
import { applyBatch, markMissing } from '../../../server/src/domain/fleet/apply-batch.js';
import { classifyFleet } from '../../../server/src/domain/fleet/classify.js';
import { createFleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import { GpuState } from '../../../server/src/domain/fleet/gpu-state.js';
import { batch, READINGS, sample, tinyTopology, uuidFor } from './builders.js';

const HOST = 'h01-p001-n01';
const STALE_MS = 30_000;

function withSamples(...readings: Array<(typeof READINGS)[keyof typeof READINGS]>) {
  const state = createFleetState(tinyTopology());
  readings.forEach((r, i) => applyBatch(state, batch([sample({ uuid: uuidFor(HOST, 0), host: HOST, index: 0, ...r })]), 10_000 * (i + 1)));
  const slot = state.slotByUuid.get(uuidFor(HOST, 0)) ?? -1;
  const nowMs = 10_000 * readings.length;
  return { state, slot, nowMs };
}

describe('classifyFleet', () => {
  it('never decides on a single sample: one sample reads unknown', () => {
    const { state, slot, nowMs } = withSamples(READINGS.busy);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.unknown);
  });

  it('decides busy on two busy samples', () => {
    const { state, slot, nowMs } = withSamples(READINGS.busy, READINGS.busy);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.busy);
    expect(state.utilization[slot]).toBeGreaterThan(0.9);
  });

  it('follows the majority of the last three samples, so one odd sample does not flip a verdict', () => {
    const { state, slot, nowMs } = withSamples(READINGS.held, READINGS.held, READINGS.idle);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.held);
  });

  it('settles a split vote by classifying the mean of the samples', () => {
    // busy (690 W, 100 %) and idle (70 W, 0 %): mean 380 W, 50 % → busy.
    const { state, slot, nowMs } = withSamples(READINGS.idle, READINGS.busy);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.busy);
  });

  it('reads a GPU whose samples went stale as unknown, never idle', () => {
    const { state, slot, nowMs } = withSamples(READINGS.idle, READINGS.idle, READINGS.idle);
    classifyFleet(state, nowMs + STALE_MS + 1, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.unknown);
    expect(state.utilization[slot]).toBeNaN();
  });

  it('reads a GPU whose latest report was all blanks as unknown at once', () => {
    const { state, slot, nowMs } = withSamples(READINGS.idle, READINGS.idle, READINGS.blank);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.unknown);
  });

  it('reads the GPUs of a failed scrape target as unknown until it reports again', () => {
    const { state, slot, nowMs } = withSamples(READINGS.idle, READINGS.idle);
    markMissing(state, [slot]);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.unknown);
  });

  it('reads a GPU with a fatal XID as down, whatever its samples say', () => {
    const state = createFleetState(tinyTopology());
    for (const t of [10_000, 20_000]) {
      applyBatch(state, batch([sample({ uuid: 'GPU-x', host: HOST, index: 0, ...READINGS.idle, xid: 79 })]), t);
    }
    classifyFleet(state, 20_000, STALE_MS);
    expect(state.state[0]).toBe(GpuState.down);
  });

  it('reads every GPU of a drained node as down', () => {
    const { state, slot, nowMs } = withSamples(READINGS.busy, READINGS.busy);
    applyBatch(state, batch([], { nodes: [{ host: HOST, drained: true, reason: 'maintenance' }] }), nowMs);
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.down);
  });

  it('reads GPUs of a sold pod as sold', () => {
    const { state, slot, nowMs } = withSamples(READINGS.idle, READINGS.idle);
    state.podSold[0] = 1;
    classifyFleet(state, nowMs, STALE_MS);
    expect(state.state[slot]).toBe(GpuState.sold);
  });

  it('leaves GPUs that never reported unknown', () => {
    const state = createFleetState(tinyTopology());
    classifyFleet(state, 1_000, STALE_MS);
    expect([...state.state].slice(0, 32).every((s) => s === GpuState.unknown)).toBe(true);
  });
});
