/**
 * The parent/child protocol: every repetition of a benchmark runs in its own
 * `node --import tsx` process, which prints one result line; the parent collects them.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { stopAllTracked } from './processes.js';

export const RESULT_PREFIX = '@@bench-result ';
export const ROOT = new URL('../../../', import.meta.url).pathname;

/** What a child reports: named figures, raw samples for pooled percentiles, and caveats. */
export interface ChildResult {
  metrics: Record<string, number>;
  samples?: Record<string, number[]>;
  notes?: string[];
  /** Set when the benchmark cannot be measured here (prometheus missing, live server not written yet). */
  skipped?: string;
}

/** Options the parent hands every child (as JSON in BENCH_OPTS). */
export interface ChildOptions {
  quick: boolean;
  rep: number;
  /** Folder of the prepared databases and scratch space of this run. */
  workDir: string;
}

export function childOptions(): ChildOptions {
  const raw = process.env.BENCH_OPTS;
  if (!raw) return { quick: process.argv.includes('--quick'), rep: 0, workDir: `${ROOT}.tmp/bench` };
  return JSON.parse(raw) as ChildOptions;
}

/** Runs a child's measuring code, prints its result line, stops what it started, exits. */
export function benchMain(run: (opts: ChildOptions) => Promise<ChildResult>): void {
  const opts = childOptions();
  run(opts).then(
    async (result) => {
      await stopAllTracked();
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0));
    },
    async (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      await stopAllTracked();
      process.exit(1);
    },
  );
}

export interface ChildOutcome {
  result: ChildResult | null;
  error: string | null;
  wallMs: number;
}

/** Extracts the result line from a child's stdout; null when there is none. */
export function parseResultLine(stdout: string): ChildResult | null {
  const lines = stdout.split('\n').filter((l) => l.startsWith(RESULT_PREFIX));
  const last = lines[lines.length - 1];
  return last === undefined ? null : (JSON.parse(last.slice(RESULT_PREFIX.length)) as ChildResult);
}

/**
 * Runs `script` (a .ts file under test/bench) in its own process group, its output copied to
 * `logFile`; on timeout the whole group (the child and what it spawned) is killed.
 */
export function runChild(
  script: string,
  opts: ChildOptions,
  timeoutMs: number,
  logFile: string,
  extraArgs: string[] = [],
): Promise<ChildOutcome> {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...extraArgs], {
      cwd: ROOT,
      env: { ...process.env, BENCH_OPTS: JSON.stringify(opts) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      log.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-2000);
      log.write(d);
    });
    const timer = setTimeout(() => {
      stderrTail += `\n[harness] timed out after ${timeoutMs} ms; killing process group ${child.pid}`;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      log.end();
      const wallMs = performance.now() - started;
      let result: ChildResult | null = null;
      try {
        result = parseResultLine(stdout);
      } catch (error) {
        stderrTail += `\n[harness] bad result line: ${String(error)}`;
      }
      if (code === 0 && result) resolve({ result, error: null, wallMs });
      else resolve({ result: null, error: `exit ${code}: ${lastLines(stderrTail, 4)}`, wallMs });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' / ');
}
