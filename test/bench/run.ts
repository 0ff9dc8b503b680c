/**
 * `npm run bench`: issue 7's ten benchmarks, each repetition in its own process, one table.
 *
 *   npm run bench [-- --only 1,4] [--quick] [--reps N]
 *
 * --only   run these benchmarks (ids; 8 and 9 share one script)
 * --quick  one repetition, shorter windows and smaller samples: for working on the harness;
 *          its figures are not for docs/performance.md
 * --reps   repetitions per benchmark (default 3; at least 3 for reported figures)
 *
 * Repetitions go round-robin over the benchmarks (rep 1 of each, then rep 2 of each…) so a
 * burst of load elsewhere on the machine lands on one repetition of several benchmarks rather
 * than on every repetition of one. Prints the table and writes it, with how each figure was
 * measured, to .tmp/bench-results.md (raw results in .tmp/bench-results.json, each child's log
 * in .tmp/bench/run-<pid>/logs/; the prepared databases stay in .tmp/bench/run-<pid>/prep-*
 * until the next run).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { BENCHMARKS, outcomesToResults, SHARED_SCRIPT_IDS, type Benchmark } from './benchmarks.js';
import { ROOT, runChild, type ChildOutcome } from './lib/child.js';
import { stopAllTracked } from './lib/processes.js';
import { formatTable, type TableRow } from './lib/table.js';
import { benchPreset } from './lib/topologies.js';
import { prepareHistoryDb } from './prepare/history-db.js';
import { prepareBigRollupDb } from './prepare/rollup-10m-db.js';
import { BIG_END_TS } from './lib/rollup-workload.js';
import { clientBuildNeeded } from '../../server/src/cli/client-build.js';

interface Args {
  only: number[] | null;
  quick: boolean;
  reps: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: null, quick: false, reps: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new Error(`${a} needs a value`);
      return next;
    };
    if (a === '--quick') args.quick = true;
    else if (a.startsWith('--only'))
      args.only = value()
        .split(',')
        .map((s) => Number(s.trim()));
    else if (a.startsWith('--reps')) args.reps = Number(value());
    else throw new Error(`unknown argument ${a} (use --only 1,4, --quick, --reps N)`);
  }
  if (args.quick && !argv.some((a) => a.startsWith('--reps'))) args.reps = 1;
  if (!Number.isInteger(args.reps) || args.reps < 1) throw new Error('--reps must be a positive integer');
  for (const id of args.only ?? [])
    if (!BENCHMARKS.some((b) => b.id === id)) throw new Error(`no benchmark ${id} (${BENCHMARKS.map((b) => b.id).join(', ')})`);
  return args;
}

const log = (message: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let prom = 'prometheus: not installed';
  try {
    prom = execFileSync('prometheus', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? prom;
  } catch {
    // stays "not installed"
  }
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${prom}; site preset ${benchPreset()} (BENCH_PRESET)`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = BENCHMARKS.filter((b) => args.only === null || args.only.includes(b.id));
  // Scripts to run: 8 and 9 share one.
  const scripts = selected.filter(
    (b) => !(SHARED_SCRIPT_IDS[b.id] !== undefined && selected.some((o) => o.id === SHARED_SCRIPT_IDS[b.id])),
  );
  const { workDir, concurrent } = claimWorkDir(join(ROOT, '.tmp', 'bench'));
  if (concurrent.length) log(`WARNING: another npm run bench is running (pid ${concurrent.join(', ')}): both runs' figures are disturbed`);
  const started = performance.now();
  const loadBefore = loadavg();
  log(`${machine()}; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
  log(`benchmarks ${selected.map((b) => b.id).join(', ')}; ${args.reps} repetition(s)${args.quick ? '; QUICK' : ''}`);

  const needs = new Set(selected.flatMap((b) => b.needs));
  const preparations: string[] = [];
  if (needs.has('big')) {
    log('preparing the 10M-row rollup database…');
    const big = prepareBigRollupDb(workDir, BIG_END_TS);
    preparations.push(`10M-row rollup database: ${big.rows.toLocaleString('en')} rows in ${(big.buildMs / 1000).toFixed(0)} s`);
    log(preparations[preparations.length - 1] ?? '');
  }
  if (needs.has('history')) {
    log('preparing the 30-day Colossus database (Headroom backfills 30 days)…');
    const history = await prepareHistoryDb(workDir);
    preparations.push(
      `30-day Colossus database: ${history.rows1m.toLocaleString('en')} 1-min rows, ${history.rows5m.toLocaleString('en')} pod rows, in ${(history.buildMs / 1000).toFixed(0)} s`,
    );
    log(preparations[preparations.length - 1] ?? '');
  }
  if (selected.some((b) => b.id === 8 || b.id === 9) && clientBuildNeeded()) {
    // npm start would build it on its first start; built once here so start-ups are comparable.
    log('client/ changed since its last build: building the dashboard once before the start-up benchmark');
    execFileSync(process.execPath, ['--import', 'tsx', 'server/src/cli/build-client.ts'], { cwd: ROOT, stdio: 'ignore' });
    preparations.push('dashboard built once before benchmarks 8/9 (client/ had changed)');
  }

  const outcomes = new Map<number, ChildOutcome[]>();
  for (let rep = 0; rep < args.reps; rep++) {
    for (const b of scripts) {
      const logFile = join(workDir, 'logs', `b${String(b.id).padStart(2, '0')}-rep${rep + 1}.log`);
      log(`${b.id} ${b.title}: repetition ${rep + 1}/${args.reps}…`);
      const outcome = await runChild(b.script, { quick: args.quick, rep, workDir }, b.timeoutMs, logFile);
      const list = outcomes.get(b.id) ?? [];
      list.push(outcome);
      outcomes.set(b.id, list);
      const summary = outcome.result?.skipped ?? (outcome.result ? compact(outcome.result.metrics) : `FAILED ${outcome.error}`);
      log(`  ${(outcome.wallMs / 1000).toFixed(1)} s: ${summary}`);
    }
  }

  // Each repetition's databases (copies of the prepared ones, up to 400 MB each) go; the
  // prepared databases and the logs stay for a look afterwards.
  for (const entry of readdirSync(workDir)) {
    if (!entry.startsWith('prep-') && entry !== 'logs') rmSync(join(workDir, entry), { recursive: true, force: true });
  }

  const rows: TableRow[] = [];
  for (const b of selected) {
    const source =
      SHARED_SCRIPT_IDS[b.id] !== undefined && outcomes.has(SHARED_SCRIPT_IDS[b.id] as number) ? (SHARED_SCRIPT_IDS[b.id] as number) : b.id;
    const { results, errors } = outcomesToResults(outcomes.get(source) ?? []);
    rows.push(...b.rows(results, errors));
  }
  const wallMin = (performance.now() - started) / 60_000;
  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n\n`);
  log(
    `whole run ${wallMin.toFixed(1)} min; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  const report = renderReport({ args, selected, table, wallMin, loadBefore, preparations, outcomes, concurrent });
  writeFileSync(join(ROOT, '.tmp', 'bench-results.md'), report);
  writeFileSync(join(ROOT, '.tmp', 'bench-results.json'), JSON.stringify({ args, rows, outcomes: Object.fromEntries(outcomes) }, null, 2));
  log('wrote .tmp/bench-results.md and .tmp/bench-results.json');
}

/**
 * This run's folder, .tmp/bench/run-<pid>: runs started at the same time (another session's)
 * must not delete each other's prepared databases. Folders of runs no longer alive are removed;
 * the pids of live ones are returned, since two runs on two cores disturb each other's figures.
 */
function claimWorkDir(base: string): { workDir: string; concurrent: number[] } {
  mkdirSync(base, { recursive: true });
  const concurrent: number[] = [];
  for (const entry of readdirSync(base)) {
    const m = /^run-(\d+)$/.exec(entry);
    const pid = m ? Number(m[1]) : null;
    if (pid !== null && pid !== process.pid && isAlive(pid)) concurrent.push(pid);
    else rmSync(join(base, entry), { recursive: true, force: true });
  }
  const workDir = join(base, `run-${process.pid}`);
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  return { workDir, concurrent };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function compact(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .slice(0, 6)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(3)}`)
    .join(' ');
}

function renderReport(r: {
  args: Args;
  selected: Benchmark[];
  table: string;
  wallMin: number;
  loadBefore: number[];
  preparations: string[];
  outcomes: Map<number, ChildOutcome[]>;
  concurrent: number[];
}): string {
  const lines = [
    `# Benchmark results${r.args.quick ? ' (QUICK run: not for docs/performance.md)' : ''}`,
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine()} · ${r.args.reps} repetition(s) per benchmark, each in its own process, figures are medians [min–max over repetitions] · whole run ${r.wallMin.toFixed(1)} min · load average at start ${r.loadBefore.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (the machine is shared: absolute figures move ±20 % between runs; ratios measured side by side move less)`,
    '',
    'Reproduce: `npm run bench` (`-- --only 1,4`, `--quick` for a fast partial run).',
    '',
    ...(r.concurrent.length
      ? [
          `**Another \`npm run bench\` (pid ${r.concurrent.join(', ')}) was running when this one started: both runs' figures are disturbed.**`,
          '',
        ]
      : []),
    r.table,
    '',
    '## How each figure is measured',
    '',
    ...r.selected.flatMap((b) => [`**${b.id}. ${b.title}.** ${b.caveats.join(' ')}`, '']),
  ];
  if (r.preparations.length) lines.push('Prepared once per run: ' + r.preparations.join('; ') + '.', '');
  const failures = [...r.outcomes.entries()].flatMap(([id, list]) =>
    list.flatMap((o, i) => (o.error ? [`${id} repetition ${i + 1}: ${o.error}`] : [])),
  );
  if (failures.length) lines.push('## Failed repetitions', '', ...failures.map((f) => `- ${f}`), '');
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await stopAllTracked();
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
