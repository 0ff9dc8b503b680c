import { describe, expect, it } from 'vitest';
import { SlurmAnswerError, slurmSnapshot } from '../../../server/src/pipeline/scheduler/slurm-v0038.js';
import { fixture } from '../../fixtures/index.js';

const real = (name: string): unknown => JSON.parse(fixture(`slurm/v0.0.38-${name}.json`));
const answers = () => ({ nodes: real('nodes'), jobs: real('jobs'), reservations: real('reservations') });
const AT = 1_796_669_700_000;

describe('slurmSnapshot on real slurmrestd 22.05 answers', () => {
  const snap = slurmSnapshot(answers(), AT);

  it('reads the four nodes, their GPUs and the drained one with its reason', () => {
    expect(snap.version).toBe('22.05.8');
    expect(snap.nodes.map((n) => [n.name, n.gpusConfigured, n.gpusAllocated, n.down])).toEqual([
      ['n1', 8, 6, false],
      ['n2', 8, 8, false],
      ['n3', 8, 3, false],
      ['n4', 8, 0, true],
    ]);
    expect(snap.nodes[3]?.reason).toBe('bad fan on tray 2');
  });

  it('reads a node with the DRAIN flag and jobs on it as draining, one without jobs as drained', () => {
    const nodes = real('nodes') as { nodes: Array<Record<string, unknown>> };
    const base = nodes.nodes[0]!;
    const withNodes = (list: Array<Record<string, unknown>>) => slurmSnapshot({ ...answers(), nodes: { ...nodes, nodes: list } }, AT).nodes;
    const read = withNodes([
      { ...base, name: 'a', state: 'mixed', state_flags: ['DRAIN'], reason: 'swap PSU' },
      { ...base, name: 'b', state: 'allocated', state_flags: ['DRAIN'] },
      { ...base, name: 'c', state: 'idle', state_flags: ['DRAIN'] },
      { ...base, name: 'd', state: 'mixed', state_flags: ['DRAIN', 'NOT_RESPONDING'] },
      { ...base, name: 'e', state: 'mixed', state_flags: [] },
    ]);
    expect(read.map((n) => [n.name, n.down, n.draining])).toEqual([
      ['a', true, true],
      ['b', true, true],
      ['c', true, false],
      ['d', true, false],
      ['e', false, false],
    ]);
    expect(read[0]?.reason).toBe('swap PSU');
  });

  it('reads running jobs with their GPU indices per node and skips the cancelled one', () => {
    expect(snap.running.map((j) => [j.id, j.account, j.partition, j.user, j.gpus])).toEqual([
      ['1', 'train', 'gpu', 'root', [{ node: 'n1', indices: [0, 1, 2, 3] }]],
      ['2', '', 'gpu', 'root', [{ node: 'n2', indices: [0, 1, 2, 3, 4, 5, 6, 7] }]],
      ['3', '', 'gpu', 'root', [{ node: 'n1', indices: [4, 5] }]],
      ['5', '', 'gpu', 'root', [{ node: 'n3', indices: [0, 1, 2] }]],
    ]);
  });

  it('counts a pending job’s GPUs as tres_per_node × its node count', () => {
    expect(snap.pending).toEqual([
      {
        id: '6',
        account: '',
        partition: 'gpu',
        user: 'root',
        gpus: 16,
        priority: 4294901754,
        expectedStartMs: null,
        reason: 'ReqNodeNotAvail',
      },
    ]);
  });

  it('reads the maintenance reservation and the other one with expanded node lists', () => {
    expect(snap.reservations.map((r) => [r.name, r.nodes, r.maintenance, r.endMs - r.startMs])).toEqual([
      ['maint-n3', ['n3'], true, 7_200_000],
      ['train-window', ['n2', 'n3'], false, 21_600_000],
    ]);
    expect(snap.skipped).toEqual([]);
  });

  it('reads the accounts a reservation admits and the reservation a pending job waits for (the forecast floor’s inputs)', () => {
    expect(snap.reservations.map((r) => r.accounts)).toEqual([[], []]);
    const resv = real('reservations') as { reservations: Array<Record<string, unknown>> };
    resv.reservations[1] = { ...resv.reservations[1], accounts: 'pretrain,-guest' };
    const jobs = real('jobs') as { jobs: Array<Record<string, unknown>> };
    const i = jobs.jobs.findIndex((j) => j.job_state === 'PENDING');
    jobs.jobs[i] = { ...jobs.jobs[i], resv_name: 'train-window' };
    const s = slurmSnapshot({ ...answers(), jobs, reservations: resv }, AT);
    expect(s.reservations[1]?.accounts).toEqual(['pretrain', '-guest']);
    expect(s.pending[0]?.reservation).toBe('train-window');
  });

  it('names Slurm’s own error list (a refused token answers 500 with one)', () => {
    expect(() => slurmSnapshot({ ...answers(), nodes: real('nodes-bad-token') }, AT)).toThrow(
      expect.objectContaining({ reason: 'slurm_error' }) as Error,
    );
  });

  it('refuses another API version by name', () => {
    const other = real('nodes') as { meta: { plugin: { type: string } } };
    other.meta.plugin.type = 'openapi/v0.0.40';
    expect(() => slurmSnapshot({ ...answers(), nodes: other }, AT)).toThrow(SlurmAnswerError);
    expect(() => slurmSnapshot({ ...answers(), nodes: other }, AT)).toThrow(/v0\.0\.40/);
  });

  it('skips and names one job that does not fit, and keeps the rest', () => {
    const jobs = real('jobs') as { jobs: Array<Record<string, unknown>> };
    jobs.jobs[0] = { ...jobs.jobs[0], gres_detail: ['gpu:4(IDX:zero)'] };
    jobs.jobs[1] = { ...jobs.jobs[1], job_id: 'two' };
    const s = slurmSnapshot({ ...answers(), jobs }, AT);
    expect(s.running.map((j) => j.id)).toEqual(['3', '5']);
    expect(s.skipped).toHaveLength(2);
    expect(s.skipped[0]).toMatch(/job 0: bad GPU index/);
  });
});
