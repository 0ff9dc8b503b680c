import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../server/src/domain/errors.js';
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';
import { fixture } from '../../fixtures/index.js';
import { FUZZ_RUNS, FUZZ_SEED, fuzzSummary, mangled } from './arbitraries.js';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HPC_JOB = /^[!#-[\]-~]{1,128}$/;
const LIMITS = { maxLines: 200, maxSeries: 150, maxLabelLength: 300 };

/** A value as it could appear between the quotes: near-valid names, long ones, escapes, anything. */
const value = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.array(fc.constantFrom(...'abz09-.'), { minLength: 1, maxLength: 72 }).map((chars) => chars.join('')),
    fc.constantFrom('', 'inference', 'vllm-decode-7d9f8-x2k4q', '4242', '-a', 'a-', 'A', 'a_b', 'a..b', '\\"', '\\\\', '\\n'),
    fc.string({ maxLength: 80 }).map((s) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')),
    fc.integer({ min: 60, max: 270 }).map((n) => 'a'.repeat(n)),
  );

/** Two GPUs' lines, each with up to five attribution labels in any order (a name twice now and then). */
const podLines = (): fc.Arbitrary<string> => {
  const extra = fc.array(fc.tuple(fc.constantFrom('namespace', 'pod', 'container', 'hpc_job', 'pod_uid'), value()), { maxLength: 5 });
  return fc
    .tuple(extra, extra)
    .map((perGpu) =>
      perGpu
        .flatMap((pairs, i) =>
          ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_POWER_USAGE'].map(
            (family) =>
              `${family}{gpu="${i}",UUID="GPU-${i}",Hostname="node-a"${pairs.map(([n, v]) => `,${n}="${v}"`).join('')}} ${i * 10}`,
          ),
        )
        .join('\n'),
    );
};

describe('fuzz: pod attribution labels', () => {
  it('accepts only pods named by Kubernetes’ rules, and refuses anything else as a 4xx naming the label', () => {
    const k8s = fixture('dcgm-exporter/k8s-pods-two-nodes.txt');
    const outcomes = { accepted: 0, pods: 0, invalid: 0, too_large: 0 };
    const started = performance.now();
    fc.assert(
      fc.property(fc.oneof(podLines(), mangled(k8s)), (text) => {
        let samples;
        try {
          samples = parseDcgmText(text, LIMITS).samples;
        } catch (error) {
          if (!(error instanceof DomainError)) throw new Error(`threw ${String(error)} instead of a DomainError`, { cause: error });
          expect(['invalid', 'too_large']).toContain(error.code);
          expect(error.message).toMatch(/^line \d+: /);
          outcomes[error.code as 'invalid' | 'too_large']++;
          return;
        }
        outcomes.accepted++;
        for (const s of samples) {
          if (!s.pod) continue;
          outcomes.pods++;
          expect(s.pod.namespace).toMatch(LABEL);
          expect(s.pod.namespace.length).toBeLessThanOrEqual(63);
          expect(s.pod.pod).toMatch(SUBDOMAIN);
          expect(s.pod.pod.length).toBeLessThanOrEqual(253);
          if (s.pod.container !== null) expect(s.pod.container).toMatch(LABEL);
          if (s.pod.container !== null) expect(s.pod.container.length).toBeLessThanOrEqual(63);
          if (s.pod.hpcJob !== null) expect(s.pod.hpcJob).toMatch(HPC_JOB);
        }
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    const ms = performance.now() - started;
    console.log(
      fuzzSummary(
        'parser dcgm pod labels',
        FUZZ_RUNS,
        ms,
        `${outcomes.accepted} accepted (${outcomes.pods} pods), ${outcomes.invalid} invalid, ${outcomes.too_large} too_large`,
      ),
    );
    // The generator reaches both sides: pods accepted and labels refused.
    expect(outcomes.pods).toBeGreaterThan(0);
    expect(outcomes.invalid).toBeGreaterThan(0);
  }, 60_000);
});
