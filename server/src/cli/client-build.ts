import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const CLIENT_DIR = join(ROOT, 'client');
export const CLIENT_DIST = join(CLIENT_DIR, 'dist');
/** The client imports the server's protocol/ folder (live and REST answers): a change there is a change to the client. */
const SHARED = [join(ROOT, 'server/src/protocol')];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Whether client/dist is missing or older than any client source. */
export function clientBuildNeeded(): boolean {
  const index = join(CLIENT_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const sources = Math.max(newestMtime(CLIENT_DIR), ...SHARED.filter(existsSync).map(newestMtime));
  return statSync(index).mtimeMs < sources;
}

/**
 * Builds the dashboard with Vite when its build is missing or stale, so `npm start` is one step
 * on a fresh clone. Returns the folder to serve, or null when there is no client to build.
 */
export async function ensureClientBuilt(log: { info: (obj: object, msg: string) => void }): Promise<string | null> {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) return null;
  if (clientBuildNeeded()) {
    const started = Date.now();
    log.info({}, 'building the dashboard (client/) with Vite');
    const { build } = await import('vite');
    await build({ root: CLIENT_DIR, configFile: join(CLIENT_DIR, 'vite.config.ts'), logLevel: 'warn' });
    log.info({ ms: Date.now() - started }, 'dashboard built');
  }
  return CLIENT_DIST;
}

/** client/dist if it was built, else null (tests and processes that must not build). */
export function builtClient(): string | null {
  return existsSync(join(CLIENT_DIST, 'index.html')) ? CLIENT_DIST : null;
}
