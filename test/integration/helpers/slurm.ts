import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Slurm on loopback for the scheduler tests: Debian's munged, slurmctld, four slurmd
 * (`-N n1..n4`, eight dummy GPUs each) and slurmrestd (v0.0.38, JWT), every file in one temp
 * dir, every port picked at runtime. How it was found: docs/scheduler.md#testing-against-a-real-slurm.
 */

const BINARIES = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'slurmrestd', 'scontrol', 'sbatch', 'squeue', 'scancel'];
export const SLURM_NODES = ['n1', 'n2', 'n3', 'n4'] as const;
export const GPUS_PER_NODE = 8;
/** The user the REST token is for: non-root (slurmrestd refuses root) and on every Debian. */
export const TOKEN_USER = 'nobody';

/** Null when a real Slurm can be started here, else why not (printed loudly: the suite skips). */
export function slurmUnavailable(): string | null {
  const reason = whyUnavailable();
  if (reason)
    console.warn(
      `\n*** SKIPPING the real-Slurm tests: ${reason} (Debian packages slurmctld slurmd slurmrestd munge slurm-client; .ci/run installs them). ***\n`,
    );
  return reason;
}

function whyUnavailable(): string | null {
  for (const bin of BINARIES) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `\`${bin}\` is not installed`;
    }
  }
  // slurmd starts jobs as their users and slurmctld drops to SlurmUser: both need root.
  if (process.getuid?.() !== 0) return 'the tests are not running as root (slurmd needs root)';
  for (const user of ['slurm', TOKEN_USER]) if (uidOf(user) === null) return `the user \`${user}\` does not exist`;
  return null;
}

function uidOf(user: string): { uid: number; gid: number } | null {
  try {
    const out = execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
    return { uid: Number(out), gid: Number(gid) };
  } catch {
    return null;
  }
}

/** A loopback port nothing listens on now, below the ephemeral range. */
export async function pickPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export interface RunningSlurm {
  dir: string;
  /** slurmrestd's base URL (http://127.0.0.1:port). */
  restUrl: string;
  /** A JWT for TOKEN_USER, for X-SLURM-USER-TOKEN. */
  token: string;
  /** Runs a Slurm client command (sbatch, scontrol, …) against this cluster; returns stdout. */
  run(cmd: string, args: string[]): string;
  /** Submits `sbatch --wrap 'sleep 600'` with the given extra args; returns the job id. */
  submit(args: string[]): number;
  /** GETs a slurmrestd path with the token and parses the JSON. */
  get<T>(path: string): Promise<T>;
  stopRest(): Promise<void>;
  startRest(): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startSlurm(): Promise<RunningSlurm> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-slurm-'));
  chmodSync(dir, 0o755); // slurmctld runs as `slurm` and must reach its files
  const slurm = uidOf('slurm');
  if (!slurm) throw new Error('no slurm user');
  const [ctldPort, restPort, ...nodePorts] = await Promise.all([pickPort(), pickPort(), ...SLURM_NODES.map(() => pickPort())]);
  const children: ChildProcess[] = [];
  let output = '';
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };
  const spawnDaemon = (cmd: string, args: string[], extra: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess => {
    const child = spawn(cmd, args, { cwd: dir, env: extra.env ?? env, uid: extra.uid, gid: extra.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += `${cmd}: ${d.toString()}`));
    children.push(child);
    return child;
  };

  // munge with its own key and socket, apart from any system munged.
  const munge = { key: join(dir, 'munge.key'), socket: join(dir, 'munge.sock') };
  execFileSync('mungekey', ['-c', '-k', munge.key, '-b', '1024']);
  chmodSync(munge.key, 0o600);
  // --force: the temp dir's parent (/tmp) is world-writable, which munged otherwise refuses.
  spawnDaemon('munged', [
    '-F',
    '--force',
    `--socket=${munge.socket}`,
    `--key-file=${munge.key}`,
    `--pid-file=${join(dir, 'munged.pid')}`,
    `--log-file=${join(dir, 'munged.log')}`,
    `--seed-file=${join(dir, 'munged.seed')}`,
  ]);

  const jwtKey = join(dir, 'jwt_hs256.key');
  writeFileSync(jwtKey, execFileSync('head', ['-c', '32', '/dev/urandom']), { mode: 0o600 });
  chownSync(jwtKey, slurm.uid, slurm.gid);
  for (const sub of ['ctld', 'log']) {
    mkdirSync(join(dir, sub));
    chownSync(join(dir, sub), slurm.uid, slurm.gid);
  }
  for (let i = 0; i < GPUS_PER_NODE; i++) writeFileSync(join(dir, `gpu${i}`), '');
  writeFileSync(join(dir, 'slurm.conf'), slurmConf(dir, munge.socket, jwtKey, ctldPort ?? 0, nodePorts));
  writeFileSync(join(dir, 'gres.conf'), `NodeName=n[1-${SLURM_NODES.length}] Name=gpu File=${join(dir, 'gpu')}[0-${GPUS_PER_NODE - 1}]\n`);

  const run = (cmd: string, args: string[]): string =>
    execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor('munged', () => {
    run('munge', ['-S', munge.socket, '-n']);
    return true;
  });
  spawnDaemon('slurmctld', ['-D', '-f', join(dir, 'slurm.conf')]);
  await waitFor('slurmctld', () => (run('scontrol', ['ping']).includes('UP') ? true : null));
  for (const node of SLURM_NODES) spawnDaemon('slurmd', ['-D', '-N', node, '-f', join(dir, 'slurm.conf')]);
  await waitFor('four idle slurmd', () => {
    const states = run('sinfo', ['-h', '-N', '-o', '%N %t']).trim().split('\n');
    return states.length === SLURM_NODES.length && states.every((s) => s.endsWith(' idle')) ? true : null;
  });

  const token = run('scontrol', ['token', `username=${TOKEN_USER}`, 'lifespan=86400'])
    .trim()
    .replace(/^SLURM_JWT=/, '');
  const restUrl = `http://127.0.0.1:${restPort}`;
  let rest: ChildProcess | null = null;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(restUrl + path, { headers: { 'X-SLURM-USER-NAME': TOKEN_USER, 'X-SLURM-USER-TOKEN': token } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const startRest = async (): Promise<void> => {
    // slurmrestd refuses root; SLURM_JWT=daemon makes it speak to slurmctld with the callers' tokens.
    rest = spawnDaemon('slurmrestd', ['-s', 'openapi/v0.0.38', '-a', 'rest_auth/jwt', `127.0.0.1:${restPort}`], {
      uid: slurm.uid,
      gid: slurm.gid,
      env: { ...env, SLURM_JWT: 'daemon' },
    });
    await waitFor('slurmrestd', async () =>
      (await get('/slurm/v0.0.38/ping').then(
        () => true,
        () => false,
      ))
        ? true
        : null,
    );
  };
  const stopRest = async (): Promise<void> => {
    if (rest) await stopChild(rest);
    rest = null;
  };
  await startRest();

  return {
    dir,
    restUrl,
    token,
    run,
    get,
    startRest,
    stopRest,
    output: () => output,
    submit(args) {
      const out = run('sbatch', ['--parsable', '-o', '/dev/null', ...args, '--wrap', 'sleep 600']);
      return Number(out.trim().split(';')[0]);
    },
    async stop() {
      try {
        run('scancel', ['--full', '--user=root']);
        await waitFor('jobs gone', () => (run('squeue', ['-h']).trim() === '' ? true : null), 20_000);
      } catch {
        // the daemons may be gone already; the sweep below still ends every job process
      }
      for (const child of [...children].reverse()) await stopChild(child);
      killJobProcesses(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function slurmConf(dir: string, mungeSocket: string, jwtKey: string, ctldPort: number, nodePorts: number[]): string {
  const nodes = SLURM_NODES.map(
    (n, i) => `NodeName=${n} NodeHostname=localhost Port=${nodePorts[i]} CPUs=16 RealMemory=64000 Gres=gpu:${GPUS_PER_NODE} State=UNKNOWN`,
  );
  return [
    'ClusterName=headroom-test',
    'SlurmctldHost=localhost',
    `SlurmctldPort=${ctldPort}`,
    'SlurmUser=slurm',
    'AuthType=auth/munge',
    `AuthInfo=socket=${mungeSocket}`,
    'CredType=cred/munge',
    'AuthAltTypes=auth/jwt',
    `AuthAltParameters=jwt_key=${jwtKey}`,
    `StateSaveLocation=${join(dir, 'ctld')}`,
    `SlurmdSpoolDir=${join(dir, 'slurmd.%n')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.%n.pid')}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${join(dir, 'log', 'slurmd.%n.log')}`,
    // No systemd or cgroup delegation in a sandbox: plain /proc tracking, no task binding.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    // The configured CPUs and memory stand, whatever this machine has.
    'SlurmdParameters=config_overrides',
    'MpiDefault=none',
    'GresTypes=gpu',
    ...nodes,
    `PartitionName=gpu Nodes=n[1-${SLURM_NODES.length}] Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}

async function waitFor(what: string, probe: () => true | null | Promise<true | null>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready in ${timeoutMs} ms ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * slurmstepd outlives slurmd: a job script still running from this cluster's spool dir is
 * killed with its slurmstepd parent, by pid (nothing else on the machine is touched).
 */
function killJobProcesses(dir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(dir)) continue;
      const ppid = Number(/^\S+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1]);
      const parent = ppid > 1 ? readFileSync(`/proc/${ppid}/cmdline`, 'utf8') : '';
      if (parent.startsWith('slurmstepd')) process.kill(ppid, 'SIGKILL');
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
