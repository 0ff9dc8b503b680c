/**
 * Benchmark 1's workload and both sides of it, shared with the harness tests so the tests
 * check exactly what the benchmark times.
 *
 * Ours: parseDcgmText (scan + validate) then applyBatch into a Colossus FleetState — the path
 * every scraped payload takes (collection-round.ts readTarget → collector.ingestScraped).
 * Baseline: parse-prometheus-text-format on the same string, parse only.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { applyBatch } from '../../../server/src/domain/fleet/apply-batch.js';
import { createFleetState, type FleetState } from '../../../server/src/domain/fleet/fleet-state.js';
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { createSimulator, type Simulator } from '../../../server/src/sim/simulator.js';
import { countSeriesLines } from './exposition.js';

/** A weekday afternoon of the decline scenario: a mix of busy, held and idle pods. */
export const BENCH_TICK_MS = Date.parse('2026-11-25T14:00:00Z');

export function benchSimulator(topology: Topology): Simulator {
  return createSimulator({ topology, scenario: 'decline', seed: 42, soldPod: () => false });
}

export interface Payloads {
  texts: string[];
  /** Series lines per text, counted by the harness (neither parser's own count). */
  series: number[];
  totalSeries: number;
  totalBytes: number;
}

/** Real dcgm-exporter texts of every `stride`-th node, as the simulator serves them at one tick. */
export function renderPayloads(sim: Simulator, count: number, stride: number, tMs = BENCH_TICK_MS): Payloads {
  sim.advance(tMs);
  const texts: string[] = [];
  const series: number[] = [];
  let totalSeries = 0;
  let totalBytes = 0;
  const nodes = sim.topology.nodes.length;
  for (let k = 0; k < count; k++) {
    const text = sim.renderNode((k * stride) % nodes);
    const n = countSeriesLines(text);
    texts.push(text);
    series.push(n);
    totalSeries += n;
    totalBytes += text.length;
  }
  return { texts, series, totalSeries, totalBytes };
}

export function oursState(topology: Topology): FleetState {
  return createFleetState(topology);
}

/** Ours: parse + validate + apply one payload at nowMs; returns the GPU samples applied. */
export function oursIngest(state: FleetState, text: string, nowMs: number): number {
  const batch = parseDcgmText(text, { maxLines: 1_000_000, maxSeries: 500_000 });
  return applyBatch(state, batch, nowMs).samples;
}

/** Baseline: parse only; returns the samples it produced (metrics summed over families). */
export function baselineParse(text: string): number {
  let n = 0;
  for (const family of parsePrometheusTextFormat(text)) n += family.metrics.length;
  return n;
}
