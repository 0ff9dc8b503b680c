/**
 * One Colossus-scale Slurm poll (issue 18's benchmark): 24,576 nodes, 5,000 running jobs (whole
 * nodes and parts of nodes), 2,000 pending, a few reservations — as slurmrestd v0.0.38 JSON built
 * from the real answers' shapes (test/fixtures/slurm/) — parsed (JSON.parse + the zod reader),
 * then applied to the fleet state and the fleet classified, with and without allocation.
 *
 *   node --import tsx test/bench/scheduler-poll.manual.ts
 *
 * The budget: ≤ 5 % of one core at a 30 s poll interval, i.e. ≤ 1.5 s of CPU per poll for the
 * parse (once per poll) plus the apply (once per collection round: 3 rounds per poll at 10 s).
 */
import { classifyFleet } from '../../server/src/domain/fleet/classify.js';
import { createFleetState } from '../../server/src/domain/fleet/fleet-state.js';
import { buildPreset } from '../../server/src/domain/fleet/presets.js';
import { applySchedulerSnapshot } from '../../server/src/domain/scheduler/allocation.js';
import { slurmSnapshot } from '../../server/src/pipeline/scheduler/slurm-v0038.js';
import { fixture } from '../fixtures/index.js';

const topology = buildPreset('colossus');
const hosts = topology.nodes.map((n) => n.host);
const realNodes = JSON.parse(fixture('slurm/v0.0.38-nodes.json')) as { meta: unknown; nodes: Array<Record<string, unknown>> };
const realJobs = JSON.parse(fixture('slurm/v0.0.38-jobs.json')) as { meta: unknown; jobs: Array<Record<string, unknown>> };
const realResv = JSON.parse(fixture('slurm/v0.0.38-reservations.json')) as { meta: unknown; reservations: Array<Record<string, unknown>> };
const nodeTemplate = realNodes.nodes[0] ?? {};
const jobTemplate = realJobs.jobs[0] ?? {};
const pendingTemplate = realJobs.jobs.find((j) => j.job_state === 'PENDING') ?? {};

// 5,000 running jobs: 1,000 of 16 whole nodes, 4,000 of 4 GPUs on one node (≈ 16,000 + 4,000 nodes busy).
const jobs: Array<Record<string, unknown>> = [];
let next = 0;
for (let j = 0; j < 5_000; j++) {
  const whole = j < 1_000;
  const count = whole ? 16 : 1;
  const first = next;
  next += count;
  const names = hosts.slice(first, first + count);
  jobs.push({
    ...jobTemplate,
    job_id: j + 1,
    account: `team-${j % 40}`,
    nodes: names.join(','),
    node_count: count,
    job_resources: { ...(jobTemplate.job_resources as object), nodes: names.join(',') },
    gres_detail: names.map(() => (whole ? 'gpu:8(IDX:0-7)' : 'gpu:4(IDX:0-3)')),
    tres_per_node: whole ? 'gres:gpu:8' : 'gres:gpu:4',
  });
}
for (let j = 0; j < 2_000; j++) jobs.push({ ...pendingTemplate, job_id: 10_000 + j, node_count: 1 + (j % 8), tres_per_node: 'gres:gpu:8' });
const nodes = hosts.map((name, i) => ({
  ...nodeTemplate,
  name,
  hostname: name,
  state: i < next ? 'allocated' : 'idle',
  gres_used: i < next ? 'gpu:8' : 'gpu:0',
}));
const reservations = [
  { ...realResv.reservations[0], name: 'maint-h01-p001', node_list: 'h01-p001-n[01-32]', start_time: 0, end_time: 4_000_000_000 },
  { ...realResv.reservations[1], name: 'train', node_list: 'h02-p[001-064]-n[01-32]' },
];
const texts = {
  nodes: JSON.stringify({ ...realNodes, nodes }),
  jobs: JSON.stringify({ ...realJobs, jobs }),
  reservations: JSON.stringify({ ...realResv, reservations }),
};
console.log(`answers: nodes ${(texts.nodes.length / 1e6).toFixed(1)} MB, jobs ${(texts.jobs.length / 1e6).toFixed(1)} MB`);

const state = createFleetState(topology);
const cpuMs = (f: () => void): number => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const parse: number[] = [];
const apply: number[] = [];
const classifyWith: number[] = [];
const classifyWithout: number[] = [];
let snapshot = slurmSnapshot(
  { nodes: JSON.parse(texts.nodes), jobs: JSON.parse(texts.jobs), reservations: JSON.parse(texts.reservations) },
  1_000,
);
for (let rep = 0; rep < 7; rep++) {
  parse.push(
    cpuMs(
      () =>
        (snapshot = slurmSnapshot(
          { nodes: JSON.parse(texts.nodes), jobs: JSON.parse(texts.jobs), reservations: JSON.parse(texts.reservations) },
          1_000,
        )),
    ),
  );
  apply.push(cpuMs(() => applySchedulerSnapshot(state, snapshot, 1_000, 90_000)));
  classifyWith.push(cpuMs(() => classifyFleet(state, 1_000, 30_000)));
  applySchedulerSnapshot(state, null, 1_000, 90_000);
  classifyWithout.push(cpuMs(() => classifyFleet(state, 1_000, 30_000)));
}
const r = applySchedulerSnapshot(state, snapshot, 1_000, 90_000);
console.log(
  `snapshot: ${snapshot.nodes.length} nodes, ${snapshot.running.length} running, ${snapshot.pending.length} pending (${r.pendingGpus} GPUs), ${r.allocatedGpus} GPUs allocated, ${r.maintenanceNodes} nodes in maintenance`,
);
console.log(
  `CPU per poll, median of 7: parse ${median(parse).toFixed(0)} ms, apply ${median(apply).toFixed(1)} ms; classify 196,608 slots ${median(classifyWith).toFixed(1)} ms with allocation, ${median(classifyWithout).toFixed(1)} ms without`,
);
const perPoll = median(parse) + 3 * median(apply);
console.log(
  `per 30 s poll (parse + 3 rounds' apply): ${perPoll.toFixed(0)} ms = ${((perPoll / 30_000) * 100).toFixed(2)} % of one core (budget 5 %)`,
);
