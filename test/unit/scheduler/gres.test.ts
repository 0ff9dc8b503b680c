import { describe, expect, it } from 'vitest';
import { gpuIndicesOfGresDetail, gpusOfTres } from '../../../server/src/domain/scheduler/gres.js';
import { SchedulerInputError } from '../../../server/src/domain/scheduler/scheduler-input-error.js';

describe('gpuIndicesOfGresDetail', () => {
  it.each([
    ['gpu:4(IDX:0-3)', [0, 1, 2, 3]],
    ['gpu:8(IDX:0-7)', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['gpu:2(IDX:4-5)', [4, 5]],
    ['gpu:a100:2(IDX:0,2)', [0, 2]],
    ['gpu:a100:3(IDX:0-1,6)', [0, 1, 6]],
    ['gpu:2(IDX:0-1),nic:1(IDX:0)', [0, 1]],
    ['nic:1(IDX:0),gpu:tesla:1(IDX:3)', [3]],
    ['gpu:a100:1(IDX:1),gpu:h100:1(IDX:5)', [1, 5]],
    ['gpu:0(IDX:N/A)', []],
    ['gpu(IDX:N/A)', []],
    ['', []],
    ['mps:100(0)', []],
  ])('reads %j', (detail, indices) => {
    expect(gpuIndicesOfGresDetail(detail)).toEqual(indices);
  });

  it.each(['gpu:4', 'gpu:4(IDX:a-b)', 'gpu:4(IDX:3-1)', 'gpu:4(IDX:0-)', 'gpu:4(IDX:99999)'])('refuses %j with a named error', (detail) => {
    expect(() => gpuIndicesOfGresDetail(detail)).toThrow(SchedulerInputError);
  });
});

describe('gpusOfTres', () => {
  it.each([
    ['', 0],
    ['gres:gpu:8', 8],
    ['gres:gpu:a100:2', 2],
    ['gres/gpu:8', 8],
    ['gres/gpu=4', 4],
    ['gres/gpu:a100=2', 2],
    ['gpu:8', 8],
    ['gres:gpu', 1],
    ['gres:gpu:a100', 1],
    ['cpu=4,gres/gpu=2,mem=10G', 2],
    ['gres:nic:1', 0],
    ['gres:gpu:2,gres:gpu:a100:1', 3],
  ])('counts %j', (tres, gpus) => {
    expect(gpusOfTres(tres)).toBe(gpus);
  });

  it.each(['gres:gpu:-1', 'gres:gpu:1.5', 'gres/gpu=x', 'gres:gpu:a100:', 'gres:gpu:99999999'])('refuses %j with a named error', (tres) => {
    expect(() => gpusOfTres(tres)).toThrow(SchedulerInputError);
  });
});
