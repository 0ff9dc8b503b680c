import type { Topology } from '../domain/fleet/topology.js';
import type { PendingJob, Reservation, RunningJob, SchedulerSnapshot as DomainSnapshot } from '../domain/scheduler/scheduler-snapshot.js';
import type { SchedulerSnapshot } from './scheduler.js';

/**
 * The simulated scheduler as the domain's SchedulerSnapshot, without the slurmrestd JSON between:
 * what pipeline/scheduler/slurm-v0038.ts reads from slurm-rest.ts's answers, field for field (times
 * cut to Slurm's whole seconds), but without `nodes` — laying out and parsing 24,576 node objects
 * is what makes a poll cost a second at Colossus, and the capacity backtest, which asks at every
 * evaluation, reads only jobs and reservations. A test holds it equal to the parsed answers
 * (test/unit/sim/scheduler-domain.test.ts).
 */
export function domainSchedulerSnapshot(topology: Topology, snapshot: SchedulerSnapshot): DomainSnapshot {
  const host = (n: number): string => topology.nodes[n]?.host ?? `unknown${n}`;
  const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;
  const running: RunningJob[] = [];
  const pending: PendingJob[] = [];
  for (const job of snapshot.jobs) {
    const base = { id: String(job.jobId), account: job.account, partition: job.partition, user: job.user };
    if (job.state === 'RUNNING') {
      const indices = Array.from({ length: job.gpusPerNode }, (_, g) => job.firstGpu + g);
      const nodes = [...job.nodes].sort((a, b) => a - b);
      running.push({ ...base, gpus: indices.length === 0 ? [] : nodes.map((n) => ({ node: host(n), indices })) });
    } else {
      pending.push({
        ...base,
        gpus: job.gpusPerNode * Math.max(1, job.nodeCount),
        priority: job.priority,
        expectedStartMs: job.startMs > 0 ? wholeSeconds(job.startMs) : null,
        reason: job.reason,
        ...(job.reservation ? { reservation: job.reservation } : {}),
      });
    }
  }
  const reservations: Reservation[] = snapshot.reservations.map((r) => ({
    name: r.name,
    nodes: r.nodes.map(host),
    startMs: wholeSeconds(r.startMs),
    endMs: wholeSeconds(r.endMs),
    flags: r.flags,
    maintenance: r.flags.includes('MAINT'),
    accounts: r.accounts,
  }));
  return {
    scheduler: 'slurm',
    apiVersion: 'v0.0.38',
    version: '22.05.8',
    readAtMs: snapshot.tMs,
    nodes: [],
    running,
    pending,
    reservations,
    skipped: [],
  };
}
