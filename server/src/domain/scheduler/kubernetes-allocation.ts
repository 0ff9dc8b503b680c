import type { FleetState } from '../fleet/fleet-state.js';
import type { GpuSample, IngestBatch } from '../fleet/readings.js';
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
 * its slot). Per host in the batch: when any of its GPUs names a pod, the host is labelled at
 * `nowMs` and each of its GPUs in the batch keeps its pod or loses it; when none does, the host
 * and all its GPUs lose their pods. `bySlot` only ever holds GPUs of labelled hosts, so a batch
 * without pod labels costs one host lookup (the UUID lookups are paid only where pods are).
 */
export function recordPodLabels(attribution: PodAttribution, state: FleetState, batch: IngestBatch, nowMs: number): void {
  const { bySlot, labelledAtMs } = attribution;
  const { samples } = batch;
  const { topology } = state;
  // Samples of one host come together as a rule (one node's scrape or push): walk runs of a host.
  for (let from = 0; from < samples.length;) {
    const host = (samples[from] as GpuSample).host;
    let to = from;
    let anyPod = false;
    for (; to < samples.length && (samples[to] as GpuSample).host === host; to++) if (samples[to]?.pod) anyPod = true;
    const node = topology.nodeByHost.get(host);
    if (node !== undefined && anyPod) {
      labelledAtMs.set(node, nowMs);
      for (let i = from; i < to; i++) {
        const sample = samples[i] as GpuSample;
        const slot = state.slotByUuid.get(sample.uuid);
        if (slot === undefined) continue;
        if (sample.pod) bySlot.set(slot, sample.pod);
        else bySlot.delete(slot);
      }
    } else if (node !== undefined && labelledAtMs.has(node) && labelledAtMs.get(node) !== nowMs) {
      // Not labelled by an earlier run of this batch: the host's report names no pod now.
      labelledAtMs.delete(node);
      for (const slot of topology.nodes[node]?.slots ?? []) bySlot.delete(slot);
    }
    from = to;
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
  const first = jobs.length;
  for (const [nodeIndex, atMs] of attribution.labelledAtMs) {
    const node = topology.nodes[nodeIndex];
    if (!node || nowMs - atMs > staleAfterMs || atMs > nowMs) continue;
    if ((sched.cover[nodeIndex] ?? 0) !== 0) {
      report.nodesUnderSlurm++;
      continue;
    }
    sched.cover[nodeIndex] = 1;
    report.nodesCovered++;
    // A pod runs on one node, so its job is looked for among this node's (a few at most); two
    // clusters' same-named pods on two nodes stay apart.
    const nodeFirst = jobs.length;
    for (const slot of node.slots) {
      const labels = attribution.bySlot.get(slot);
      if (!labels || (state.missing[slot] ?? 0) === 1) continue;
      let j = nodeFirst;
      while (j < jobs.length && !(jobs[j]?.id === labels.pod && jobs[j]?.namespace === labels.namespace)) j++;
      if (j === jobs.length) jobs.push({ id: labels.pod, account: '', partition: '', user: '', namespace: labels.namespace, gpus: [] });
      addGpu(jobs[j] as RunningJob, node.host, topology.slotGpuIndex[slot] ?? -1);
      sched.job[slot] = j;
      report.allocatedGpus++;
    }
  }
  report.pods = jobs.length - first;
  sched.jobs = jobs;
  return report;
}

/** A pod's jobs hold GPUs on one node: the first entry is that node's. */
function addGpu(job: RunningJob, host: string, index: number): void {
  const onNode = job.gpus[0];
  if (onNode) onNode.indices.push(index);
  else job.gpus.push({ node: host, indices: [index] });
}
