import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's binary name (package prometheus-alertmanager); upstream's is `alertmanager`. */
export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

/** The version line (`alertmanager, version 0.25.0 …`), or null with a loud warning when it is not installed. */
export function alertmanagerVersion(): string | null {
  try {
    return execFileSync(ALERTMANAGER_BIN, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0] ?? '';
  } catch {
    console.warn(
      `\n*** SKIPPING the real-Alertmanager tests: \`${ALERTMANAGER_BIN}\` is not installed ` +
        '(Debian package `prometheus-alertmanager`: apt-get install -y prometheus-alertmanager). ***\n',
    );
    return null;
  }
}

export interface RunningAlertmanager {
  url: string;
  /** GET a path (e.g. /api/v2/alerts) and parse its JSON. */
  get<T>(path: string): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts an Alertmanager of its own on a loopback port (clustering off, state in a temp dir
 * removed on stop), apart from any the Debian package may run as a service.
 */
export async function startAlertmanager(opts: { config: string; port: number; externalUrl: string }): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, opts.config);
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${opts.port}`,
      `--web.external-url=${opts.externalUrl}`,
      '--web.route-prefix=/',
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited ${child.exitCode}: ${output}`);
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`alertmanager not ready in 30 s: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async get<T>(path: string): Promise<T> {
      const res = await fetch(url + path);
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
