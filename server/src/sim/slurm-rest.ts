import { gpuModelAt } from '../domain/fleet/gpu-models.js';
import type { Topology } from '../domain/fleet/topology.js';
import { Activity } from './activity.js';
import { gpuIndexList } from '../domain/scheduler/gres.js';
import { compressHostlist } from '../domain/scheduler/hostlist.js';
import type { SchedulerSnapshot, SimJob } from './scheduler.js';
import { PARTITION } from './scheduler.js';

/**
 * The simulated scheduler in slurmrestd's v0.0.38 answers (Slurm 22.05, Debian's): the
 * `/slurm/v0.0.38/{ping,nodes,jobs,reservations}` bodies with the field names and value shapes
 * a real 22.05 emits (test/fixtures/slurm holds the OpenAPI spec they are checked against).
 * Times are unix seconds; node lists are compressed hostlists; GPU indices as `IDX:0-7`.
 */

/** The version Debian 12 ships (slurm-wlm 22.05.8). */
const META = {
  plugin: { type: 'openapi/v0.0.38', name: 'Slurm OpenAPI v0.0.38' },
  Slurm: { version: { major: '22', micro: '8', minor: '05' }, release: '22.05.8' },
};
export const SLURM_API_VERSION = 'v0.0.38';

/** A node's CPUs and memory as slurmd reports them. */
interface NodeHardware {
  /** GPUs of such a node (a pending job has no nodes to count). */
  gpus: number;
  architecture: string;
  sockets: number;
  cores: number;
  threads: number;
  cpus: number;
  realMemoryMB: number;
}

/** A DGX H100 / H200: two 56-core Xeon 8480C with SMT, 2 TB. */
const HGX_NODE: NodeHardware = { gpus: 8, architecture: 'x86_64', sockets: 2, cores: 56, threads: 2, cpus: 224, realMemoryMB: 2_063_937 };
/** A GB200 compute tray: two 72-core Grace CPUs (Arm Neoverse V2, no SMT), 2 × 480 GB LPDDR5X. */
const GB200_TRAY: NodeHardware = { gpus: 4, architecture: 'aarch64', sockets: 2, cores: 72, threads: 1, cpus: 144, realMemoryMB: 983_040 };

export function nodeHardwareOf(modelIndex: number): NodeHardware {
  return gpuModelAt(modelIndex).key === 'GB200' ? GB200_TRAY : HGX_NODE;
}
const sec = (ms: number): number => Math.floor(ms / 1000);

export function slurmPingJson(controller: string): string {
  return JSON.stringify({ meta: META, errors: [], pings: [{ hostname: controller, ping: 'UP', status: 0, mode: 'primary' }] });
}

/** GPUs in use per node as a bit mask (bit g = GPU index g), from the running jobs. */
function gpusInUse(topology: Topology, snapshot: SchedulerSnapshot): Uint32Array {
  const used = new Uint32Array(topology.nodes.length);
  for (const job of snapshot.jobs) {
    if (job.state !== 'RUNNING') continue;
    const mask = (2 ** job.gpusPerNode - 1) * 2 ** job.firstGpu;
    for (const n of job.nodes) used[n] = (used[n] ?? 0) | mask;
  }
  return used;
}

/** `gres_used` of a node per mask (a node's few masks repeat across the site). */
const gresUsedOf = new Map<number, { text: string; count: number }>();
function gresUsed(mask: number): { text: string; count: number } {
  let found = gresUsedOf.get(mask);
  if (!found) {
    const indices: number[] = [];
    for (let g = 0; g < 32; g++) if ((mask >>> g) & 1) indices.push(g);
    found = { text: `gpu:${indices.length}(IDX:${gpuIndexList(indices)})`, count: indices.length };
    gresUsedOf.set(mask, found);
  }
  return found;
}

/** Per node, the fields that never change, as JSON members (laid out once per topology: 24,576 of them). */
const fixedMembers = new WeakMap<Topology, string[]>();

function fixedMembersOf(topology: Topology, serveInference: Uint8Array): string[] {
  let members = fixedMembers.get(topology);
  if (!members) {
    members = topology.nodes.map((node) => {
      const gpus = node.slots.length;
      const inference = node.podIndex >= 0 && serveInference[node.podIndex] === 1;
      const hw = nodeHardwareOf(node.modelIndex);
      const fixed = {
        architecture: hw.architecture,
        boards: 1,
        sockets: hw.sockets,
        cores: hw.cores,
        threads: hw.threads,
        cpus: hw.cpus,
        real_memory: hw.realMemoryMB,
        name: node.host,
        hostname: node.host,
        address: node.host,
        partitions: [inference ? PARTITION.inference : PARTITION.training, PARTITION.customer],
        gres: `gpu:${gpus}`,
        gres_drained: 'N/A',
        tres: `cpu=${hw.cpus},mem=${hw.realMemoryMB}M,billing=${hw.cpus},gres/gpu=${gpus}`,
        slurmd_version: META.Slurm.release,
        operating_system: 'Linux 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1',
        weight: 1,
      };
      return JSON.stringify(fixed).slice(1, -1);
    });
    fixedMembers.set(topology, members);
  }
  return members;
}

const MAINT_FLAGS = JSON.stringify(['DRAIN', 'MAINTENANCE', 'RESERVED']);

/**
 * The `nodes` answer as JSON text. Built as text, not objects: at Colossus it is ≈ 14 MB, and
 * joining each node's fixed members (laid out once) with its few changing ones costs a fraction
 * of building and stringifying 24,576 objects.
 */
export function slurmNodesJson(topology: Topology, snapshot: SchedulerSnapshot, activity: Uint8Array, serveInference: Uint8Array): string {
  const used = gpusInUse(topology, snapshot);
  const fixed = fixedMembersOf(topology, serveInference);
  const maintained = new Set<number>();
  for (const r of snapshot.reservations) {
    if (r.flags.includes('MAINT') && r.startMs <= snapshot.tMs && snapshot.tMs < r.endMs) for (const n of r.nodes) maintained.add(n);
  }
  const parts: string[] = new Array(topology.nodes.length);
  for (const node of topology.nodes) {
    const n = node.index;
    const gpus = node.slots.length;
    const inUse = gresUsed(used[n] ?? 0);
    const share = inUse.count / Math.max(1, gpus);
    const hw = nodeHardwareOf(node.modelIndex);
    const allocCpus = Math.round(hw.cpus * share);
    const allocMemory = Math.round(hw.realMemoryMB * share);
    const a = activity[n] ?? Activity.idle;
    let state = inUse.count === 0 ? 'idle' : inUse.count < gpus ? 'mixed' : 'allocated';
    let flags = '[]';
    let reason = '';
    if (a === Activity.failed) {
      state = 'down';
      reason = 'GPU fell off the bus (Xid 79)';
    } else if (a === Activity.maintenance || maintained.has(n)) {
      flags = MAINT_FLAGS;
      reason = 'maintenance';
    }
    const tresUsed = inUse.count > 0 ? `,"tres_used":"cpu=${allocCpus},mem=${allocMemory}M,gres/gpu=${inUse.count}"` : '';
    parts[n] =
      `{${fixed[n] ?? ''},"alloc_cpus":${allocCpus},"idle_cpus":${hw.cpus - allocCpus},"alloc_memory":${allocMemory},` +
      `"state":"${state}","state_flags":${flags},"reason":"${reason}","gres_used":"${inUse.text}"${tresUsed}}`;
  }
  return `{"meta":${JSON.stringify(META)},"errors":[],"nodes":[${parts.join(',')}]}`;
}

function slurmJob(topology: Topology, job: SimJob) {
  const hosts = job.nodes.map((n) => topology.nodes[n]?.host ?? `unknown${n}`);
  const gpus = job.nodeCount * job.gpusPerNode;
  // CPUs in proportion to the node's GPUs the job holds; a job's nodes are of one model.
  const hw = nodeHardwareOf(job.modelIndex);
  const nodeGpus = topology.nodes[job.nodes[0] ?? -1]?.slots.length ?? hw.gpus;
  const cpus = Math.round((hw.cpus * job.gpusPerNode) / nodeGpus) * job.nodeCount;
  const indices = gpuIndexList(Array.from({ length: job.gpusPerNode }, (_, g) => job.firstGpu + g));
  const running = job.state === 'RUNNING';
  const tres = `cpu=${cpus},node=${job.nodeCount},billing=${cpus},gres/gpu=${gpus}`;
  return {
    job_id: job.jobId,
    name: job.name,
    job_state: job.state,
    state_reason: job.reason,
    state_description: '',
    account: job.account,
    partition: job.partition,
    user_name: job.user,
    qos: 'normal',
    priority: job.priority,
    nodes: running ? compressHostlist(hosts) : '',
    ...(running ? { batch_host: hosts[0] ?? '' } : {}),
    node_count: job.nodeCount,
    cpus,
    tres_per_node: `gres:gpu:${job.gpusPerNode}`,
    tres_req_str: tres,
    ...(running ? { tres_alloc_str: tres } : {}),
    gres_detail: running ? hosts.map(() => `gpu:${job.gpusPerNode}(IDX:${indices})`) : [],
    resv_name: job.reservation,
    submit_time: sec(job.submitMs),
    eligible_time: sec(job.submitMs),
    start_time: sec(job.startMs),
    end_time: sec(job.endMs),
    time_limit: Math.ceil((job.endMs - job.startMs) / 60_000),
    batch_flag: true,
    flags: [],
  };
}

export function slurmJobsJson(topology: Topology, snapshot: SchedulerSnapshot): string {
  return JSON.stringify({ meta: META, errors: [], jobs: snapshot.jobs.map((job) => slurmJob(topology, job)) });
}

export function slurmReservationsJson(topology: Topology, snapshot: SchedulerSnapshot): string {
  const reservations = snapshot.reservations.map((r) => ({
    name: r.name,
    node_list: compressHostlist(r.nodes.map((n) => topology.nodes[n]?.host ?? `unknown${n}`)),
    node_count: r.nodes.length,
    start_time: sec(r.startMs),
    end_time: sec(r.endMs),
    flags: r.flags,
    accounts: r.accounts.join(','),
    users: r.users.join(','),
    partition: '',
    tres: `cpu=${r.nodes.reduce((sum, n) => sum + nodeHardwareOf(topology.nodes[n]?.modelIndex ?? 0).cpus, 0)}`,
  }));
  return JSON.stringify({ meta: META, errors: [], reservations });
}
