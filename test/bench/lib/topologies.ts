/**
 * Topologies the benchmarks run on. `hall` is one Colossus hall (32 pods × 32 nodes × 8 H100 =
 * 1,024 nodes, the same host names as Colossus's first hall), for benchmark 2's 1,000
 * endpoints: the collector's per-round work then scales with the fleet it scrapes, as it would
 * for a site of that size, instead of classifying 196,608 GPUs for 8,000 that report.
 */
import { buildTopology, type Topology } from '../../../server/src/domain/fleet/topology.js';
import { buildPreset, COLOSSUS } from '../../../server/src/domain/fleet/presets.js';

export type BenchTopology = 'colossus' | 'hall';

export function benchTopology(name: BenchTopology): Topology {
  if (name === 'colossus') return buildPreset('colossus');
  return buildTopology({
    ...COLOSSUS,
    site: { ...COLOSSUS.site, id: 'bench-hall', name: 'One Colossus hall (bench)', feedWatts: COLOSSUS.site.feedWatts / 12 },
    halls: 1,
    podsPerHall: 32,
  });
}
