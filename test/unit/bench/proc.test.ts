import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond, parseProcStat, parseRssBytes, readProcCpu, readRssBytes } from '../../bench/lib/proc.js';

describe('parseProcStat', () => {
  it('reads utime and stime (fields 14 and 15) after a command name holding spaces and parentheses', () => {
    const line = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194304 1000 0 0 0 250 75 0 0 20 0 11 0 123 456 789';
    expect(parseProcStat(line, 100)).toEqual({ utimeTicks: 250, stimeTicks: 75, cpuMs: 3_250 });
  });
  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStat('garbage', 100)).toThrow();
  });
});

describe('readProcCpu', () => {
  it("agrees with this process's own process.cpuUsage()", () => {
    let x = 0;
    for (let i = 0; i < 3e7; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    const own = process.cpuUsage();
    const fromProc = readProcCpu(process.pid);
    // /proc counts in clock ticks (10 ms at 100 Hz); allow a few of them.
    expect(Math.abs(fromProc.cpuMs - (own.user + own.system) / 1000)).toBeLessThanOrEqual((4 * 1000) / clockTicksPerSecond());
  });
});

describe('RSS', () => {
  it('parses VmRSS in kB as bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t  123456 kB\nVmSwap:\t0 kB\n')).toBe(123_456 * 1024);
  });
  it("reads this process's RSS close to process.memoryUsage().rss", () => {
    const rss = readRssBytes(process.pid);
    expect(Math.abs(rss - process.memoryUsage().rss)).toBeLessThan(32 * 1024 * 1024);
  });
});
