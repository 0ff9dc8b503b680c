/**
 * Cooperative time slicing for long synchronous work on the event loop (a Colossus round's
 * reads, the tick's classification): the work checks in between small steps, and once
 * `budgetMs` of wall time has passed since the last turn it yields one event-loop turn
 * (setImmediate), so requests and timers run in between. Yielding on elapsed time rather than
 * every N steps keeps each stall near the budget whatever a step costs on this machine.
 */
export interface TimeSlicer {
  /**
   * Called before each step: yields one event-loop turn if the budget is spent, else returns
   * undefined (no promise to await: most steps cost nothing extra). Concurrent callers share
   * one pending turn. The first call after a turn always lets its step run, so a budget of 0
   * takes one step per turn (tests) rather than turning forever.
   */
  pause(): Promise<void> | undefined;
  /** Event-loop turns taken so far (tests count them). */
  readonly turns: number;
}

/**
 * A slice of work between turns. A request spans two or three turns (accept, read, answer), each
 * after a slice: 4 ms keeps a scrape during a round well under the 25-ms goal; more turns cost
 * the round nothing measurable (≈ 350 turns in a 1.3-s Colossus round).
 */
export const DEFAULT_SLICE_MS = 4;

export function createTimeSlicer(opts: { budgetMs: number; elapsedMs: () => number }): TimeSlicer {
  let sliceStart = opts.elapsedMs();
  let pending: Promise<void> | null = null;
  let stepped = false;
  let turns = 0;
  return {
    pause() {
      if (pending) return pending;
      if (!stepped || opts.elapsedMs() - sliceStart < opts.budgetMs) {
        stepped = true;
        return undefined;
      }
      turns++;
      pending = new Promise<void>((resolve) =>
        setImmediate(() => {
          pending = null;
          stepped = false;
          sliceStart = opts.elapsedMs();
          resolve();
        }),
      );
      return pending;
    },
    get turns() {
      return turns;
    },
  };
}

/**
 * Runs a generator of synchronous steps to its end, yielding a turn between steps whenever the
 * slicer's budget is spent. With `slicer` null it runs in one go (the same steps, the same result).
 */
export async function runSliced<T>(steps: Generator<void, T>, slicer: TimeSlicer | null): Promise<T> {
  for (;;) {
    const turn = slicer?.pause();
    if (turn) {
      await turn;
      continue;
    }
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs a generator of steps synchronously to its end. */
export function runAtOnce<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
