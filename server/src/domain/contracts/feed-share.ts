/**
 * A pod's share of the site's feed, facility watts: how capacity sold by the MW (as the reference
 * deal counts it: 300 MW for the whole site) maps to pods, and how a block is valued per MW-month.
 * A GPU's share is its full-load facility watts' share of the site's, so a GB200 (2,292 W at full
 * load in an NVL72 rack) takes 1.44× an H100's (1,594 W). On a one-model site every GPU takes
 * feed / GPUs, exactly as before models were told apart.
 */
export interface PodDraw {
  gpus: number;
  model: string;
  /** Facility watts at full load (node max input × PUE). */
  fullLoadWatts: number;
}

/** Each pod's share of `feedWatts`; the shares add up to the feed (to float rounding). */
export function feedShares(pods: readonly PodDraw[], feedWatts: number): number[] {
  const models = new Set(pods.map((p) => p.model));
  const gpus = pods.reduce((s, p) => s + p.gpus, 0);
  if (models.size <= 1) return pods.map((p) => (gpus > 0 ? p.gpus / (gpus / feedWatts) : 0));
  const fullLoad = pods.reduce((s, p) => s + p.fullLoadWatts, 0);
  // Per GPU of a model: its pool's mean full-load draw, so equal GPUs get equal shares.
  const perGpu = new Map<string, number>();
  for (const m of models) {
    const pool = pods.filter((p) => p.model === m);
    const poolGpus = pool.reduce((s, p) => s + p.gpus, 0);
    perGpu.set(m, poolGpus > 0 ? pool.reduce((s, p) => s + p.fullLoadWatts, 0) / poolGpus : 0);
  }
  return pods.map((p) => (fullLoad > 0 ? (p.gpus * (perGpu.get(p.model) ?? 0) * feedWatts) / fullLoad : 0));
}
