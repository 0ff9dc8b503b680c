import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/config.js';
import { startHeadroom, type Headroom } from '../../../server/src/app/headroom.js';
import type { StartOptions } from '../../../server/src/app/start-options.js';
import { ADMIN_TOKEN, authedFetch, NO_RATE_LIMITS } from './auth.js';
import { PINNED_START } from './pinned-clock.js';

/** Real nvidia-smi and dcgm-exporter output (test/fixtures). */
export { fixture } from '../../fixtures/index.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'headroom-test-'));
}

export interface TestHeadroom extends Headroom {
  dir: string;
  getJson<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  post(
    path: string,
    body: string,
    contentType: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** A real server on a loopback port with a real SQLite file; rounds are driven by the test (`options.log` to read its log). */
export async function startTestHeadroom(
  env: Record<string, string> = {},
  dir = tempDir(),
  options: Omit<StartOptions, 'autoCollect'> = {},
): Promise<TestHeadroom> {
  // Test webhook receivers listen on loopback, which the SSRF policy refuses by default.
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dir,
    PRESET: 'small',
    BACKFILL_DAYS: '1',
    LOG_LEVEL: 'silent',
    SIM_START: PINNED_START,
    SIM_CONTRACTS: 'none',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
    ...NO_RATE_LIMITS,
    ...env,
  });
  const headroom = await startHeadroom(config, { ...options, autoCollect: false });
  return {
    ...headroom,
    dir,
    async getJson<T>(path: string) {
      const response = await authedFetch(headroom.url + path);
      return { status: response.status, body: (await response.json()) as T };
    },
    async post(path, body, contentType, headers = {}) {
      const response = await authedFetch(headroom.url + path, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...headers },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}
