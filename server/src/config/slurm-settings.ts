/** Where allocation is read from (docs/scheduler.md), out of the SLURM_* environment. */

export type SlurmTiming = { pollMs: number; timeoutMs: number; staleAfterMs: number };

export type SlurmSettings =
  | ({ source: 'rest'; url: string; user: string; token: string | null; tokenFile: string | null } & SlurmTiming)
  | ({ source: 'sim' } & SlurmTiming);

/** The SLURM_* variables, as config.ts's schema has parsed them. */
export interface SlurmEnv {
  SLURM_REST_URL?: string | undefined;
  SLURM_USER?: string | undefined;
  SLURM_JWT?: string | undefined;
  SLURM_JWT_FILE?: string | undefined;
  SLURM_POLL_S: number;
  SLURM_TIMEOUT_S: number;
  SLURM_STALE_AFTER_S?: number | undefined;
}

export function slurmSettings(e: SlurmEnv, simScheduler: boolean): SlurmSettings | null {
  const timing: SlurmTiming = {
    pollMs: e.SLURM_POLL_S * 1000,
    timeoutMs: e.SLURM_TIMEOUT_S * 1000,
    // Three missed polls, as for scrapes: one late answer is noise.
    staleAfterMs: (e.SLURM_STALE_AFTER_S ?? e.SLURM_POLL_S * 3) * 1000,
  };
  if (!e.SLURM_REST_URL) return simScheduler ? { source: 'sim', ...timing } : null;
  if ((!e.SLURM_JWT && !e.SLURM_JWT_FILE) || !e.SLURM_USER)
    throw new Error(
      'invalid configuration: SLURM_REST_URL needs SLURM_USER and SLURM_JWT or SLURM_JWT_FILE (a token from `scontrol token username=<user>`)',
    );
  if (e.SLURM_JWT && e.SLURM_JWT_FILE) throw new Error('invalid configuration: set SLURM_JWT or SLURM_JWT_FILE, not both');
  return {
    source: 'rest',
    url: e.SLURM_REST_URL,
    user: e.SLURM_USER,
    token: e.SLURM_JWT?.replace(/^SLURM_JWT=/, '') ?? null,
    tokenFile: e.SLURM_JWT_FILE ?? null,
    ...timing,
  };
}
