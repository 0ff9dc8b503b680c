/**
 * Benchmark 1 — ingest path on one core: parse + validate + apply to fleet state, on real
 * per-node payloads of the simulated Colossus, against parse-prometheus-text-format parsing
 * the same strings (parse only). Both run in this one process, round by round, alternating
 * which goes first; a sample is a series line, counted by the harness for both sides.
 */
import { benchPreset } from '../lib/topologies.js';
import { buildPreset } from '../../../server/src/domain/fleet/presets.js';
import { benchMain } from '../lib/child.js';
import { sideBySide } from '../lib/side-by-side.js';
import { median } from '../lib/stats.js';
import { baselineParse, benchSimulator, BENCH_TICK_MS, oursIngest, oursState, renderPayloads } from '../lib/ingest-workload.js';

benchMain(async ({ quick }) => {
  const topology = buildPreset(benchPreset());
  const sim = benchSimulator(topology);
  // Every 12th node: payloads from every hall and pod shape, 2,048 nodes × 64 series.
  const payloads = renderPayloads(sim, quick ? 1_024 : 2_048, 12);
  const state = oursState(topology);
  const rounds = quick ? 3 : 7;
  const warmups = 2;
  let nowMs = BENCH_TICK_MS;
  let checksum = 0;

  const ours = (): number => {
    const t0 = process.hrtime.bigint();
    for (const text of payloads.texts) checksum += oursIngest(state, text, nowMs);
    nowMs += 10_000;
    return payloads.totalSeries / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  const baseline = (): number => {
    const t0 = process.hrtime.bigint();
    let seen = 0;
    for (const text of payloads.texts) seen += baselineParse(text);
    const rate = payloads.totalSeries / (Number(process.hrtime.bigint() - t0) / 1e9);
    if (seen !== payloads.totalSeries) throw new Error(`baseline parsed ${seen} samples, the harness counted ${payloads.totalSeries}`);
    return rate;
  };

  const { ours: oursRates, baseline: baseRates } = sideBySide(ours, baseline, { warmups, rounds });
  const oursRate = median(oursRates);
  const baseRate = median(baseRates);
  return {
    metrics: {
      oursSamplesPerS: oursRate,
      baselineSamplesPerS: baseRate,
      ratio: oursRate / baseRate,
      payloads: payloads.texts.length,
      seriesPerRound: payloads.totalSeries,
      bytesPerPayload: payloads.totalBytes / payloads.texts.length,
      checksum,
    },
    samples: { oursRates, baseRates },
  };
});
