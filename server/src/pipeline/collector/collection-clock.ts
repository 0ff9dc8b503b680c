/**
 * Collection time. For a real fleet it is the wall clock. The simulator's clock starts at the
 * later of the wall clock and where a previous run left it (so time never runs backwards
 * across restarts when SIM_SPEED > 1) and advances SIM_SPEED times as fast.
 */
export function createCollectionClock(opts: { speed: number; resumeFromMs: number | null; wallNow: () => number }) {
  const wallStart = opts.wallNow();
  const start = Math.max(wallStart, opts.resumeFromMs ?? 0);
  return {
    speed: opts.speed,
    now: (): number => start + (opts.wallNow() - wallStart) * opts.speed,
  };
}
