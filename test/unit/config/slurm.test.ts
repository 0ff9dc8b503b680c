import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';

describe('the Slurm settings', () => {
  // SLURM_REST_URL wins over the simulated scheduler; SIM_SCHEDULER=false restores telemetry-only.
  it('read the simulated scheduler without SLURM_REST_URL while the simulator runs, nothing with it or SIM_SCHEDULER off', () => {
    expect(loadConfig({}).slurm).toEqual({ source: 'sim', pollMs: 30_000, timeoutMs: 10_000, staleAfterMs: 90_000 });
    expect(loadConfig({ SIM_SCHEDULER: 'false' }).slurm).toBeNull();
    expect(loadConfig({ SIM: 'false' }).slurm).toBeNull();
  });

  it('read a token file instead of a token, never both', () => {
    const slurm = loadConfig({ SLURM_REST_URL: 'http://head:6820', SLURM_USER: 'u', SLURM_JWT_FILE: '/run/headroom/jwt' }).slurm;
    expect(slurm).toMatchObject({ source: 'rest', token: null, tokenFile: '/run/headroom/jwt' });
    expect(() =>
      loadConfig({ SLURM_REST_URL: 'http://head:6820', SLURM_USER: 'u', SLURM_JWT: 't', SLURM_JWT_FILE: '/run/headroom/jwt' }),
    ).toThrow(/not both/);
  });

  it('read the URL, user and token (scontrol’s SLURM_JWT= prefix taken off), poll and stale bound in seconds', () => {
    const slurm = loadConfig({
      SLURM_REST_URL: 'http://head:6820',
      SLURM_USER: 'headroom',
      SLURM_JWT: 'SLURM_JWT=eyJ.abc.def',
      SLURM_POLL_S: '20',
    }).slurm;
    expect(slurm).toEqual({
      source: 'rest',
      url: 'http://head:6820',
      user: 'headroom',
      token: 'eyJ.abc.def',
      tokenFile: null,
      pollMs: 20_000,
      timeoutMs: 10_000,
      staleAfterMs: 60_000,
    });
    expect(
      loadConfig({ SLURM_REST_URL: 'http://head:6820', SLURM_USER: 'u', SLURM_JWT: 't', SLURM_STALE_AFTER_S: '300' }).slurm?.staleAfterMs,
    ).toBe(300_000);
  });

  it('refuse a URL without a user and token, or a bad value, naming the variable', () => {
    expect(() => loadConfig({ SLURM_REST_URL: 'http://head:6820' })).toThrow(/SLURM_USER and SLURM_JWT or SLURM_JWT_FILE/);
    expect(() => loadConfig({ SLURM_REST_URL: 'not a url', SLURM_USER: 'u', SLURM_JWT: 't' })).toThrow(/SLURM_REST_URL/);
    expect(() => loadConfig({ SLURM_REST_URL: 'http://h', SLURM_USER: 'u', SLURM_JWT: 't', SLURM_POLL_S: '0' })).toThrow(/SLURM_POLL_S/);
    expect(() => loadConfig({ SLURM_REST_URL: 'http://h', SLURM_USER: 'u', SLURM_JWT: 'two words' })).toThrow(/SLURM_JWT/);
  });
});
