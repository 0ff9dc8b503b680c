/**
 * Reads another process's CPU time and memory from /proc (Linux), the way `ps` and `top` do:
 * CPU = utime + stime of /proc/<pid>/stat (all threads, in clock ticks), RSS = VmRSS of
 * /proc/<pid>/status.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | null = null;

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when getconf is missing). */
export function clockTicksPerSecond(): number {
  if (ticks === null) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticks = Number.isFinite(v) && v > 0 ? v : 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcCpu {
  utimeTicks: number;
  stimeTicks: number;
  /** (utime + stime) in milliseconds. */
  cpuMs: number;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from the last `)`: after it come
 * state (field 3) … utime (field 14) and stime (field 15).
 */
export function parseProcStat(text: string, ticksPerSecond: number): ProcCpu {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no ")"');
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utimeTicks = Number(fields[11]);
  const stimeTicks = Number(fields[12]);
  if (!Number.isFinite(utimeTicks) || !Number.isFinite(stimeTicks)) throw new Error('not a /proc/<pid>/stat line: utime/stime missing');
  return { utimeTicks, stimeTicks, cpuMs: ((utimeTicks + stimeTicks) * 1000) / ticksPerSecond };
}

/** CPU time a live process has used so far (user + system, every thread). */
export function readProcCpu(pid: number): ProcCpu {
  return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), clockTicksPerSecond());
}

/** Parses VmRSS (kB) out of /proc/<pid>/status text, in bytes. */
export function parseRssBytes(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  if (!m) throw new Error('no VmRSS line');
  return Number(m[1]) * 1024;
}

/** Resident set size of a live process, bytes. */
export function readRssBytes(pid: number): number {
  return parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}
