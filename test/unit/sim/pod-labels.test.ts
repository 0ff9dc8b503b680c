import { describe, expect, it } from 'vitest';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { ANCHOR_MS, createSimulator } from '../../../server/src/sim/simulator.js';
import { inferencePodName } from '../../../server/src/sim/identity.js';
import { inferenceJobKey } from '../../../server/src/sim/scheduler.js';
import { DAY_MS, HOUR_MS, mediumSite } from './exposition.js';

describe("the simulator's Kubernetes pod labels", () => {
  it('name one pod per running inference job of its Slurm, on exactly that job’s GPUs', () => {
    const sim = createSimulator({ topology: mediumSite(), scenario: 'decline', seed: 3 });
    const seen = { pods: 0, splitNodes: 0, unlabelledGpus: 0 };
    for (let h = 0; h < 48; h += 7) {
      sim.advance(ANCHOR_MS - 20 * DAY_MS + h * HOUR_MS);
      // Slurm's view: per GPU (host/index), the inference job holding it.
      const slurm = new Map<string, string>();
      for (const job of sim.scheduler().jobs) {
        if (job.state !== 'RUNNING' || job.account !== 'inference') continue;
        for (const n of job.nodes)
          for (let g = job.firstGpu; g < job.firstGpu + job.gpusPerNode; g++) slurm.set(`${n}/${g}`, String(job.jobId));
      }
      // The pod labels' view, read through the real parser.
      const k8s = new Map<string, string>();
      for (const node of sim.topology.nodes) {
        const podsHere = new Set<string>();
        for (const s of parseDcgmText(sim.renderNode(node.index)).samples) {
          if (s.pod) {
            expect(s.pod).toMatchObject({ namespace: 'inference', container: 'main', hpcJob: null });
            k8s.set(`${node.index}/${s.index}`, s.pod.pod);
            podsHere.add(s.pod.pod);
          } else seen.unlabelledGpus++;
        }
        if (podsHere.size === 2) seen.splitNodes++;
        seen.pods += podsHere.size;
      }
      expect([...k8s.keys()].sort()).toEqual([...slurm.keys()].sort());
      // Same partition of GPUs into jobs and pods: GPUs share a pod exactly when they share a job.
      const podByJob = new Map<string, string>();
      for (const [gpu, jobId] of slurm) {
        const pod = k8s.get(gpu) ?? '';
        expect(podByJob.get(jobId) ?? pod).toBe(pod);
        podByJob.set(jobId, pod);
      }
      expect(new Set(podByJob.values()).size).toBe(podByJob.size);
    }
    expect(seen.pods).toBeGreaterThan(20);
    expect(seen.splitNodes).toBeGreaterThan(0);
    expect(seen.unlabelledGpus).toBeGreaterThan(0);
  });

  it('name a pod from the same key as its Slurm job', () => {
    expect(inferencePodName(inferenceJobKey(12345, 0))).not.toBe(inferencePodName(inferenceJobKey(12345, 4)));
    expect(inferencePodName(inferenceJobKey(12345, 4))).toMatch(/^vllm-decode-[a-z0-9]{10}-[a-z0-9]{5}$/);
  });
});
