import { spawn, type ChildProcess } from 'node:child_process';
import { ADMIN_TOKEN, NO_RATE_LIMITS } from './auth.js';
import { PINNED_START } from './pinned-clock.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface HeadroomProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** Kills every process started here that is still running (call from afterEach/afterAll). */
export function killAll(): void {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

/** A port below Linux's ephemeral range (32768–60999), so an outgoing connection never holds it first. */
export const freePort = (): number => 20_000 + Math.floor(Math.random() * 12_000);

/** `npm start`'s own command in its own process, small preset and the pinned clock unless env says otherwise; resolves once /readyz is 200. */
export async function startProcess(dataDir: string, port: number, env: Record<string, string> = {}): Promise<HeadroomProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      PRESET: 'small',
      BACKFILL_DAYS: '2',
      LOG_LEVEL: 'info',
      SIM_START: PINNED_START,
      HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
      ...NO_RATE_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, url, port, output: () => output, exited };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready in 60 s: ${output}`);
}
