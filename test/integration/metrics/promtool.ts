import { execFileSync, spawnSync } from 'node:child_process';

/** Whether Debian's `prometheus` package (prometheus + promtool) is installed; suites skip loudly without it. */
export function hasBinary(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn(
      `\n*** SKIPPING: \`${name}\` is not installed (Debian package \`prometheus\`: apt-get install -y prometheus). .ci/run installs it. ***\n`,
    );
    return false;
  }
}

/** Runs promtool with stdin; returns its exit code and output. */
export function promtool(args: string[], input?: string): { code: number; output: string } {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8' });
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
