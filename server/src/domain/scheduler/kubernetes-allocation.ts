import type { FleetState } from '../fleet/fleet-state.js';
import type { IngestBatch } from '../fleet/readings.js';
import type { PodLabels } from './pod-labels.js';
import type { RunningJob } from './scheduler-snapshot.js';

/**
 * Allocation from dcgm-exporter's pod labels, laid over the fleet like a Slurm snapshot so that
 * classify's one set of rules reads both. A node is covered by Kubernetes while its last report
 * was fresh and named a pod on any GPU: an exporter run with `--kubernetes` labels every GPU a
 * pod holds and leaves the others bare, so a labelled report says "this node's allocation is
 * known", and a GPU in it without a pod is unallocated (idle, or orphaned if in use). A report
 * with no pod at all cannot tell "no pods" from "no pod mapping", so that node is told by
 * telemetry (docs/scheduler.md#kubernetes).
 */
export interface PodAttribution {
  /** Per slot, the pod its last report named. */
  bySlot: Map<number, PodLabels>;
  /** Per node, when its last report named a pod (unix ms); absent when its last report named none. */
  labelledAtMs: Map<number, number>;
}

export interface KubernetesReport {
  /** Nodes whose allocation the pod labels told (fresh, named a pod, not covered by Slurm). */
  nodesCovered: number;
  /** Nodes with fresh pod labels that Slurm covers: Slurm's allocation wins there. */
  nodesUnderSlurm: number;
  /** GPUs allocated to a pod on the covered nodes, and the distinct pods holding them. */
  allocatedGpus: number;
  pods: number;
}

export function createPodAttribution(): PodAttribution {
  return { bySlot: new Map(), labelledAtMs: new Map() };
}

/**
 * Records the pod labels of an applied batch (call after applyBatch, so every sample's GPU has
 * its slot): each GPU in the batch keeps its pod or loses it, and each host in the batch is
 * labelled at `nowMs` when any of its GPUs named a pod. A batch without pod labels only clears.
 */
export function recordPodLabels(attribution: PodAttribution, state: FleetState, batch: IngestBatch, nowMs: number): void {
  const { bySlot, labelledAtMs } = attribution;
  const named = new Map<number, boolean>();
  for (const sample of batch.samples) {
    const slot = state.slotByUuid.get(sample.uuid);
    if (slot === undefined) continue;
    const node = state.topology.slotNode[slot] ?? -1;
    if (sample.pod) bySlot.set(slot, sample.pod);
    else if (bySlot.size > 0) bySlot.delete(slot);
    named.set(node, named.get(node) === true || sample.pod !== undefined);
  }
  for (const [node, anyPod] of named) {
    if (anyPod) labelledAtMs.set(node, nowMs);
    else labelledAtMs.delete(node);
  }
}

/**
 * Lays the pod attribution over the fleet as of `nowMs`, after applySchedulerSnapshot (which
 * clears the overlay): on each node no scheduler covers whose pod labels are at most
 * `staleAfterMs` old, the node reads covered and each GPU with a pod (and a report that did not
 * fail) is held by a RunningJob `{ id: pod, namespace }` (no account, partition or user: the namespace
 * decides the tenant), appended to `sched.jobs`. One job per
 * pod, so a pod's GPUs share it as a Slurm job's do. Labels too old are not used at all: they came
 * with the telemetry, so they are as stale as it is (the GPUs read unknown by telemetry's rules).
 */
export function applyPodAttribution(state: FleetState, attribution: PodAttribution, nowMs: number, staleAfterMs: number): KubernetesReport {
  const { sched, topology } = state;
  const report: KubernetesReport = { nodesCovered: 0, nodesUnderSlurm: 0, allocatedGpus: 0, pods: 0 };
  if (attribution.labelledAtMs.size === 0) return report;
  const jobs: RunningJob[] = [...sched.jobs];
  const jobByPod = new Map<string, number>();
  for (const [nodeIndex, atMs] of attribution.labelledAtMs) {
    const node = topology.nodes[nodeIndex];
    if (!node || nowMs - atMs > staleAfterMs || atMs > nowMs) continue;
    if ((sched.cover[nodeIndex] ?? 0) !== 0) {
      report.nodesUnderSlurm++;
      continue;
    }
    sched.cover[nodeIndex] = 1;
    report.nodesCovered++;
    for (const slot of node.slots) {
      const labels = attribution.bySlot.get(slot);
      if (!labels || (state.missing[slot] ?? 0) === 1) continue;
      const key = `${labels.namespace}/${labels.pod}`;
      let j = jobByPod.get(key);
      if (j === undefined) {
        j = jobs.length;
        jobs.push({ id: labels.pod, account: '', partition: '', user: '', namespace: labels.namespace, gpus: [] });
        jobByPod.set(key, j);
      }
      addGpu(jobs[j] as RunningJob, node.host, topology.slotGpuIndex[slot] ?? -1);
      sched.job[slot] = j;
      report.allocatedGpus++;
    }
  }
  report.pods = jobByPod.size;
  sched.jobs = jobs;
  return report;
}

function addGpu(job: RunningJob, host: string, index: number): void {
  let onNode = job.gpus.find((g) => g.node === host);
  if (!onNode) {
    onNode = { node: host, indices: [] };
    job.gpus.push(onNode);
  }
  onNode.indices.push(index);
}
