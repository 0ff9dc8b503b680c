import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const run = promisify(execFile);

/** `npm run lint:deps` on server/src alone; resolves with the report, exit code and all. */
async function cruise(): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'server/src', '--config', '.dependency-cruiser.cjs'],
      { cwd: ROOT },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: e.code ?? 1, out: e.stdout ?? '' };
  }
}

describe('import rules (dependency-cruiser)', () => {
  // A file written into server/src for one test; removed even when the test fails.
  let planted: string | null = null;
  afterEach(() => {
    if (planted) rmSync(planted, { force: true });
    planted = null;
  });

  it('fails naming domain-is-pure when a domain module imports the SQLite store', async () => {
    planted = join(ROOT, 'server/src/domain/__break-import-rules.ts');
    writeFileSync(planted, "import { openDatabase } from '../pipeline/store/db.js';\n\nexport const open = openDatabase;\n");
    const { code, out } = await cruise();
    expect(code).not.toBe(0);
    expect(out).toContain('domain-is-pure');
    expect(out).toContain('server/src/domain/__break-import-rules.ts → server/src/pipeline/store/db.ts');
  }, 120_000);

  it('fails naming services-import-domain-and-own-ports when a service imports a store', async () => {
    planted = join(ROOT, 'server/src/services/auth/__break-import-rules.ts');
    writeFileSync(planted, "import type { Database } from '../../pipeline/store/db.js';\n\nexport type Db = Database;\n");
    const { code, out } = await cruise();
    expect(code).not.toBe(0);
    expect(out).toContain('services-import-domain-and-own-ports');
  }, 120_000);
});
