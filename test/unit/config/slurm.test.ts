import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';

describe('the Slurm settings', () => {
  it('are off without SLURM_REST_URL', () => {
    expect(loadConfig({}).slurm).toBeNull();
  });

  it('read the URL, user and token (scontrol’s SLURM_JWT= prefix taken off), poll and stale bound in seconds', () => {
    const slurm = loadConfig({
      SLURM_REST_URL: 'http://head:6820',
      SLURM_USER: 'headroom',
      SLURM_JWT: 'SLURM_JWT=eyJ.abc.def',
      SLURM_POLL_S: '20',
    }).slurm;
    expect(slurm).toEqual({
      url: 'http://head:6820',
      user: 'headroom',
      token: 'eyJ.abc.def',
      pollMs: 20_000,
      timeoutMs: 10_000,
      staleAfterMs: 60_000,
    });
    expect(
      loadConfig({ SLURM_REST_URL: 'http://head:6820', SLURM_USER: 'u', SLURM_JWT: 't', SLURM_STALE_AFTER_S: '300' }).slurm?.staleAfterMs,
    ).toBe(300_000);
  });

  it('refuse a URL without a user and token, or a bad value, naming the variable', () => {
    expect(() => loadConfig({ SLURM_REST_URL: 'http://head:6820' })).toThrow(/SLURM_USER and SLURM_JWT/);
    expect(() => loadConfig({ SLURM_REST_URL: 'not a url', SLURM_USER: 'u', SLURM_JWT: 't' })).toThrow(/SLURM_REST_URL/);
    expect(() => loadConfig({ SLURM_REST_URL: 'http://h', SLURM_USER: 'u', SLURM_JWT: 't', SLURM_POLL_S: '0' })).toThrow(/SLURM_POLL_S/);
    expect(() => loadConfig({ SLURM_REST_URL: 'http://h', SLURM_USER: 'u', SLURM_JWT: 'two words' })).toThrow(/SLURM_JWT/);
  });
});
