/**
 * Ours and the baseline measured round by round in one process, alternating which goes first, so
 * neither always meets the other's warm caches or its garbage; the warm-up rounds are dropped.
 */
export function sideBySide(
  ours: () => number,
  baseline: () => number,
  opts: { warmups: number; rounds: number; beforeRound?: () => void },
): { ours: number[]; baseline: number[] } {
  const kept = { ours: [] as number[], baseline: [] as number[] };
  for (let r = 0; r < opts.warmups + opts.rounds; r++) {
    opts.beforeRound?.();
    let a: number;
    let b: number;
    if (r % 2 === 0) {
      a = ours();
      b = baseline();
    } else {
      b = baseline();
      a = ours();
    }
    if (r >= opts.warmups) {
      kept.ours.push(a);
      kept.baseline.push(b);
    }
  }
  return kept;
}
