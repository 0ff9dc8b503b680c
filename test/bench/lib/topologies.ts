/**
 * Topologies the benchmarks run on. `colossus` is the default preset (mixed: 226,560 GPUs on
 * 32,064 nodes), `colossus-h100` the uniform 196,608-GPU site the figures before issue 19 were
 * taken on; BENCH_PRESET=colossus-h100 runs a case on it for side-by-side figures. `hall` is
 * half an H100 hall with a whole hall's feed (32 pods × 32 nodes × 8 H100 = 1,024 nodes, the same host names as
 * Colossus's first hall), for benchmark 2's 1,000 endpoints: the collector's per-round work
 * then scales with the fleet it scrapes, as it would for a site of that size, instead of
 * classifying every GPU of the site for 8,000 that report.
 */
import type { Topology } from '../../../server/src/domain/fleet/topology.js';
import { buildPreset, buildSite, COLOSSUS_H100, type PresetName } from '../../../server/src/domain/fleet/presets.js';

export type BenchTopology = 'colossus' | 'hall';

/** The Colossus preset a benchmark runs at: BENCH_PRESET (`colossus` or `colossus-h100`), default `colossus`. */
export function benchPreset(env: NodeJS.ProcessEnv = process.env): PresetName {
  return env.BENCH_PRESET === 'colossus-h100' ? 'colossus-h100' : 'colossus';
}

export function benchTopology(name: BenchTopology): Topology {
  if (name === 'colossus') return buildPreset(benchPreset());
  const [h100] = COLOSSUS_H100.halls;
  if (!h100) throw new Error('COLOSSUS_H100 has no halls');
  return buildSite({
    site: { ...COLOSSUS_H100.site, id: 'bench-hall', name: 'One Colossus hall (bench)', feedWatts: COLOSSUS_H100.site.feedWatts / 12 },
    halls: [{ ...h100, halls: 1, podsPerHall: 32 }],
  });
}
