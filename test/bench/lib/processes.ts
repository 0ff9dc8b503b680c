/**
 * Processes a benchmark child starts (target servers, Prometheus, Headroom): spawned with their
 * output captured, stopped by their own pid when the child is done — and killed if it dies.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Tracked {
  child: ChildProcess;
  pid: number;
  name: string;
  output(): string;
  /** Calls back for every complete stdout line. */
  onLine(listener: (line: string) => void): void;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const tracked = new Set<Tracked>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Last resort: a child that throws or is interrupted still takes its processes with it.
  process.on('exit', () => {
    for (const t of tracked) {
      if (t.child.exitCode === null && t.child.signalCode === null) {
        try {
          process.kill(t.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });
}

/** Spawns and tracks a process; keeps the last 200 kB of its output. */
export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): Tracked {
  hookExit();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let output = '';
  let partial = '';
  const listeners: Array<(line: string) => void> = [];
  const keep = (s: string): void => {
    output = (output + s).slice(-200_000);
  };
  child.stdout?.on('data', (d: Buffer) => {
    const s = d.toString();
    keep(s);
    partial += s;
    let nl = partial.indexOf('\n');
    while (nl >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      for (const l of listeners) l(line);
      nl = partial.indexOf('\n');
    }
  });
  child.stderr?.on('data', (d: Buffer) => keep(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const t: Tracked = {
    child,
    pid: child.pid,
    name,
    output: () => output,
    onLine: (l) => void listeners.push(l),
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      tracked.delete(t);
    },
  };
  tracked.add(t);
  void exited.then(() => tracked.delete(t));
  return t;
}

/** Stops every tracked process that is still running (SIGTERM, then SIGKILL after 10 s). */
export async function stopAllTracked(): Promise<void> {
  await Promise.all([...tracked].map((t) => t.stop()));
}

/** Polls `url` until it answers 200 (or `ok` accepts it); throws with the process's output on failure. */
export async function waitForUrl(url: string, proc: Tracked | null, timeoutMs: number, intervalMs = 100): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(
        `${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${url} answered: ${proc.output().slice(-1500)}`,
      );
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => {
        await r.body?.cancel();
        return r.status === 200;
      },
      () => false,
    );
    if (ok) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`${url} not answering 200 after ${timeoutMs} ms${proc ? `: ${proc.output().slice(-1500)}` : ''}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on loopback, asked of the kernel. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The command `npm start` runs (package.json "start"), without npm in between. */
export const NPM_START_ARGS = ['--import', 'tsx', 'server/src/main.ts'];
