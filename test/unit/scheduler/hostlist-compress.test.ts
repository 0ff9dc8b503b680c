import { describe, expect, it } from 'vitest';
import { gpuIndexList } from '../../../server/src/domain/scheduler/gres.js';
import { compressHostlist } from '../../../server/src/domain/scheduler/hostlist.js';

describe('Slurm hostlist compression', () => {
  it('folds a pod of zero-padded hosts into one range', () => {
    const hosts = Array.from({ length: 32 }, (_, i) => `h01-p003-n${String(i + 1).padStart(2, '0')}`);
    expect(compressHostlist(hosts)).toBe('h01-p003-n[01-32]');
  });

  it('keeps gaps as separate ranges and singles as single numbers', () => {
    expect(compressHostlist(['n1', 'n2', 'n3', 'n5', 'n7', 'n8'])).toBe('n[1-3,5,7-8]');
  });

  it('prints a lone host without brackets and sorts and de-duplicates within a prefix', () => {
    expect(compressHostlist(['h01-p003-n07'])).toBe('h01-p003-n07');
    expect(compressHostlist(['n3', 'n1', 'n2', 'n2'])).toBe('n[1-3]');
  });

  it('joins different prefixes and widths with commas, in first-seen order', () => {
    expect(compressHostlist(['h02-p001-n01', 'h02-p001-n02', 'h01-p064-n32', 'n9', 'n10'])).toBe('h02-p001-n[01-02],h01-p064-n32,n9,n10');
  });

  it('keeps names without a numeric suffix as they are', () => {
    expect(compressHostlist(['login', 'gpu-a', 'n1'])).toBe('login,gpu-a,n1');
    expect(compressHostlist([])).toBe('');
  });
});

describe('GPU index lists', () => {
  it('prints ranges as Slurm does in gres_used and gres_detail', () => {
    expect(gpuIndexList([0, 1, 2, 3, 4, 5, 6, 7])).toBe('0-7');
    expect(gpuIndexList([4, 5, 6, 7])).toBe('4-7');
    expect(gpuIndexList([0, 2, 5])).toBe('0,2,5');
    expect(gpuIndexList([])).toBe('N/A');
  });
});
