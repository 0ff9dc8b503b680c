import type { PollErrorReason } from '../../domain/scheduler/poll-status.js';
import type { SchedulerSnapshot } from '../../domain/scheduler/scheduler-snapshot.js';
import { SLURM_API_VERSION, SlurmAnswerError, listOf, slurmSnapshot } from './slurm-v0038.js';

export class SchedulerPollError extends Error {
  constructor(
    readonly reason: PollErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SchedulerPollError';
  }
}

export interface SlurmrestdOptions {
  /** Base URL, e.g. http://slurm-head:6820 */
  url: string;
  /** X-SLURM-USER-NAME and X-SLURM-USER-TOKEN (a JWT from `scontrol token`). */
  user: string;
  token: string;
  timeoutMs: number;
}

/**
 * Reads nodes, jobs and reservations from slurmrestd (`openapi/v0.0.38`, JWT auth) into a
 * scheduler snapshot. Every failure is a SchedulerPollError naming its reason; nothing else
 * escapes.
 */
export function createSlurmrestdClient(opts: SlurmrestdOptions) {
  const base = opts.url.replace(/\/+$/, '');
  const headers = { 'X-SLURM-USER-NAME': opts.user, 'X-SLURM-USER-TOKEN': opts.token, accept: 'application/json' };

  async function get(name: 'nodes' | 'jobs' | 'reservations'): Promise<unknown> {
    const path = `/slurm/${SLURM_API_VERSION}/${name}`;
    let res: Response;
    try {
      res = await fetch(base + path, { headers, signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new SchedulerPollError('timeout', `${path}: no answer in ${opts.timeoutMs} ms`);
      throw new SchedulerPollError('unreachable', `${path}: ${causeOf(error)}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new SchedulerPollError(timedOut ? 'timeout' : 'malformed', `${path}: answer cut short (${causeOf(error)})`);
    }
    if (res.status === 401 || res.status === 403)
      throw new SchedulerPollError('auth', `${path}: HTTP ${res.status} (token or user refused)`);
    if (res.status === 404)
      throw new SchedulerPollError(
        'version',
        `${path}: HTTP 404 — this slurmrestd does not serve ${SLURM_API_VERSION} (start it with -s openapi/${SLURM_API_VERSION})`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SchedulerPollError(res.ok ? 'malformed' : 'http', `${path}: HTTP ${res.status}, not JSON (${text.length} bytes)`);
    }
    if (!res.ok) {
      // slurmrestd 22.05 answers a refused token with 500 and its error list.
      try {
        listOf(body, name);
      } catch (error) {
        if (error instanceof SlurmAnswerError) throw new SchedulerPollError(error.reason, `${path}: HTTP ${res.status}, ${error.message}`);
      }
      throw new SchedulerPollError('http', `${path}: HTTP ${res.status}`);
    }
    return body;
  }

  return {
    async read(readAtMs: number): Promise<SchedulerSnapshot> {
      const [nodes, jobs, reservations] = await Promise.all([get('nodes'), get('jobs'), get('reservations')]);
      return snapshotOfAnswers({ nodes, jobs, reservations }, readAtMs);
    },
  };
}

/** The snapshot of three parsed answers; every failure a SchedulerPollError. */
function snapshotOfAnswers(answers: { nodes: unknown; jobs: unknown; reservations: unknown }, readAtMs: number): SchedulerSnapshot {
  try {
    return slurmSnapshot(answers, readAtMs);
  } catch (error) {
    if (error instanceof SlurmAnswerError) throw new SchedulerPollError(error.reason, error.message);
    throw new SchedulerPollError('malformed', causeOf(error));
  }
}

/** The snapshot of the three answers' text as slurmrestd would send it (the simulated scheduler's). */
export function snapshotOfTexts(texts: { nodes: string; jobs: string; reservations: string }, readAtMs: number): SchedulerSnapshot {
  const parse = (name: keyof typeof texts): unknown => {
    try {
      return JSON.parse(texts[name]) as unknown;
    } catch {
      throw new SchedulerPollError('malformed', `${name}: not JSON (${texts[name].length} bytes)`);
    }
  };
  return snapshotOfAnswers({ nodes: parse('nodes'), jobs: parse('jobs'), reservations: parse('reservations') }, readAtMs);
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
