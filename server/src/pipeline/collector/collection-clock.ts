/**
 * Collection time. For a real fleet it is the wall clock. The simulator's clock starts at
 * `startMs` (SIM_START; the wall clock when null), or where a previous run left it when that is
 * later (so time never runs backwards across restarts when SIM_SPEED > 1), and advances
 * SIM_SPEED times as fast as the wall clock.
 */
export function createCollectionClock(opts: { speed: number; startMs: number | null; resumeFromMs: number | null; wallNow: () => number }) {
  const wallStart = opts.wallNow();
  const start = Math.max(opts.startMs ?? wallStart, opts.resumeFromMs ?? 0);
  return {
    speed: opts.speed,
    now: (): number => start + (opts.wallNow() - wallStart) * opts.speed,
  };
}
