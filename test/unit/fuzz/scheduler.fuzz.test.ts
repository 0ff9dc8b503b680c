import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuIndicesOfGresDetail, gpusOfTres } from '../../../server/src/domain/scheduler/gres.js';
import { expandHostlist } from '../../../server/src/domain/scheduler/hostlist.js';
import { SchedulerInputError } from '../../../server/src/domain/scheduler/scheduler-input-error.js';
import { SlurmAnswerError, slurmSnapshot } from '../../../server/src/pipeline/scheduler/slurm-v0038.js';
import { fixture } from '../../fixtures/index.js';
import { FUZZ_RUNS, FUZZ_SEED, fuzzSummary, mangled } from './arbitraries.js';

/**
 * The scheduler parsers on arbitrary and near-miss input: each either answers or throws its own
 * named error (SchedulerInputError, SlurmAnswerError) — never anything else, which would fail a
 * poll by surprise instead of naming the problem.
 */
function named(parse: () => unknown, ...allowed: Array<new (...a: never[]) => Error>): 'ok' | 'refused' {
  try {
    parse();
    return 'ok';
  } catch (error) {
    if (allowed.some((cls) => error instanceof cls)) return 'refused';
    throw error;
  }
}

function run<T>(what: string, input: fc.Arbitrary<T>, parse: (value: T) => unknown, ...allowed: Array<new (...a: never[]) => Error>): void {
  const outcomes = { ok: 0, refused: 0 };
  const started = performance.now();
  fc.assert(
    fc.property(input, (value) => {
      outcomes[named(() => parse(value), ...allowed)]++;
    }),
    { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
  );
  console.log(fuzzSummary(what, FUZZ_RUNS, performance.now() - started, `${outcomes.ok} read, ${outcomes.refused} refused by name`));
  // Both outcomes occur: a generator that only made garbage (or only valid input) would test half.
  expect(outcomes.ok).toBeGreaterThan(0);
  expect(outcomes.refused).toBeGreaterThan(0);
}

const hostish = fc.stringMatching(/^[a-z0-9\-[\],]{0,24}$/);
const gresish = fc.stringMatching(/^(gpu|nic|mps)?[:a-z0-9(),\-/=IDXNA]{0,24}$/);

describe('scheduler parsers (fuzz)', () => {
  it('hostlists: bracket-heavy strings, arbitrary strings and mangled real ones', () => {
    run(
      'hostlist',
      fc.oneof(hostish, fc.string({ maxLength: 30 }), mangled('n[1-3,7],gpu[01-04]-ib')),
      expandHostlist,
      SchedulerInputError,
    );
  });

  it('gres_detail entries', () => {
    run(
      'gres_detail',
      fc.oneof(gresish, fc.string({ maxLength: 30 }), mangled('gpu:a100:2(IDX:0,2),nic:1(IDX:0)')),
      gpuIndicesOfGresDetail,
      SchedulerInputError,
    );
  });

  it('TRES requests', () => {
    run('tres', fc.oneof(gresish, fc.string({ maxLength: 30 }), mangled('gres:gpu:a100:2,gres/gpu=8')), gpusOfTres, SchedulerInputError);
  });

  it('slurmrestd answers: mangled real JSON and arbitrary JSON values', () => {
    const real = {
      nodes: fixture('slurm/v0.0.38-nodes.json'),
      jobs: fixture('slurm/v0.0.38-jobs.json'),
      reservations: fixture('slurm/v0.0.38-reservations.json'),
    };
    const parsed = (text: string): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    };
    const answer = fc.oneof(
      fc.constant(real),
      fc.record({ nodes: mangled(real.nodes), jobs: fc.constant(real.jobs), reservations: fc.constant(real.reservations) }),
      fc.record({ nodes: fc.constant(real.nodes), jobs: mangled(real.jobs), reservations: mangled(real.reservations) }),
      fc.record({ nodes: fc.json(), jobs: fc.constant(real.jobs), reservations: fc.constant(real.reservations) }),
    );
    run(
      'slurmrestd answers',
      answer,
      (a) => slurmSnapshot({ nodes: parsed(a.nodes), jobs: parsed(a.jobs), reservations: parsed(a.reservations) }, 0),
      SlurmAnswerError,
    );
    // 10,000 parses of 30 KB of JSON: ≈ 7 s on this machine.
  }, 60_000);
});
