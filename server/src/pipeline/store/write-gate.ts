/**
 * A write gate between the main thread and a background writer on a worker thread (the start-up
 * backfill), over one SharedArrayBuffer passed to the worker in its workerData.
 *
 * Why: SQLite has one write lock per database file. A main-thread write that finds a worker's
 * transaction holding it waits in SQLite's busy handler, which sleeps on the calling thread — the
 * event loop — in growing steps (1, 2, 5 … 100 ms); the worker, awake the moment it commits,
 * takes the lock again before the sleeper looks, so one main-thread write waited 0.3–0.9 s
 * (benchmark 4d). With the gate the main thread says "I want to write" before it begins; the
 * worker does not begin a transaction while that is said, and the main thread waits (on an
 * Atomics futex, woken the moment the worker commits, not on a sleep timer) only for the one
 * worker transaction already running — which is why that worker keeps its transactions short
 * (collector/backfill.ts).
 *
 * The main thread's side is `priorityWriter`, used by writeTransaction (write-transaction.ts)
 * for every write on a connection the gate is attached to; the worker's side is
 * `backgroundWriter`, around each of its transactions.
 */

/** Int32 slots of the shared buffer. */
const WANT = 0; // main-thread write transactions waiting or running (the worker holds off while > 0)
const BUSY = 1; // 1 while the background writer is inside a transaction
const MAIN_WRITES = 2; // main-thread write transactions that passed the gate
const MAIN_WAITS = 3; // … of which found the worker in a transaction and waited for its end
const MAIN_TIMEOUTS = 4; // … of which gave up waiting after maxWaitMs (then SQLite's busy timeout applies)
const WORKER_WRITES = 5; // background transactions
const WORKER_YIELDS = 6; // … of which waited for the main thread first
const SLOTS = 7;

/** The shared state of one gate; hand it to the worker in its workerData (it is shared, not copied). */
export function createWriteGateBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

export interface WriteGateCounts {
  /** Main-thread write transactions waiting at the gate or running now. */
  mainWanting: number;
  mainWrites: number;
  mainWaits: number;
  mainTimeouts: number;
  workerWrites: number;
  workerYields: number;
}

export function writeGateCounts(buffer: SharedArrayBuffer): WriteGateCounts {
  const s = new Int32Array(buffer);
  return {
    mainWanting: Atomics.load(s, WANT),
    mainWrites: Atomics.load(s, MAIN_WRITES),
    mainWaits: Atomics.load(s, MAIN_WAITS),
    mainTimeouts: Atomics.load(s, MAIN_TIMEOUTS),
    workerWrites: Atomics.load(s, WORKER_WRITES),
    workerYields: Atomics.load(s, WORKER_YIELDS),
  };
}

/** The main thread's side: `enter` before BEGIN, `leave` after COMMIT or ROLLBACK. */
export interface PriorityWriter {
  enter(): void;
  leave(): void;
}

/**
 * @param maxWaitMs how long `enter` waits for the worker's transaction before going ahead anyway
 *   (then SQLite's busy timeout applies): only a worker that died inside a transaction takes that
 *   long, and the main thread must not hang on it.
 */
export function priorityWriter(buffer: SharedArrayBuffer, maxWaitMs = 2_000): PriorityWriter {
  const s = new Int32Array(buffer);
  return {
    enter() {
      // Said first, then looked: with sequentially consistent atomics, either this side sees the
      // worker's BUSY or the worker sees this WANT (and backs off) — never neither.
      Atomics.add(s, WANT, 1);
      Atomics.add(s, MAIN_WRITES, 1);
      if (Atomics.load(s, BUSY) === 0) return;
      Atomics.add(s, MAIN_WAITS, 1);
      const deadline = performance.now() + maxWaitMs;
      while (Atomics.load(s, BUSY) !== 0) {
        const left = deadline - performance.now();
        if (left <= 0) {
          Atomics.add(s, MAIN_TIMEOUTS, 1);
          return;
        }
        Atomics.wait(s, BUSY, 1, left);
      }
    },
    leave() {
      if (Atomics.sub(s, WANT, 1) === 1) Atomics.notify(s, WANT);
    },
  };
}

/** The worker's side: `run(work)` begins only while the main thread wants no write, and says so while in it. */
export interface BackgroundWriter {
  run<T>(work: () => T): T;
}

export function backgroundWriter(buffer: SharedArrayBuffer): BackgroundWriter {
  const s = new Int32Array(buffer);
  function begin(): void {
    let yielded = false;
    for (;;) {
      for (let want = Atomics.load(s, WANT); want > 0; want = Atomics.load(s, WANT)) {
        yielded = true;
        Atomics.wait(s, WANT, want);
      }
      Atomics.store(s, BUSY, 1);
      if (Atomics.load(s, WANT) === 0) break;
      // The main thread said it wants to write just as this side began: let it go first.
      Atomics.store(s, BUSY, 0);
      Atomics.notify(s, BUSY);
    }
    Atomics.add(s, WORKER_WRITES, 1);
    if (yielded) Atomics.add(s, WORKER_YIELDS, 1);
  }
  function end(): void {
    Atomics.store(s, BUSY, 0);
    Atomics.notify(s, BUSY);
  }
  return {
    run(work) {
      begin();
      try {
        return work();
      } finally {
        end();
      }
    },
  };
}
