/**
 * Summarises a V8 CPU profile (node --cpu-prof) for the benchmark notes: self time by function
 * and by source file, largest first.
 *
 *   node --import tsx test/bench/profile-summary.ts <file.cpuprofile> [--top 25] [--filter text]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
const topArg = process.argv.indexOf('--top');
const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const shortUrl = (url: string): string => url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, 'nm/') || '(native)';
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const name = node.callFrame.functionName || '(anonymous)';
  total += us;
  if (name === '(idle)') {
    idle += us;
    continue;
  }
  const key = `${name} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const f = ['(garbage collector)', '(program)'].includes(name) ? name : (shortUrl(node.callFrame.url).split(':')[0] ?? '');
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const busy = total - idle;
const show = (title: string, map: Map<string, number>): void => {
  console.log(`\n${title} (share of ${(busy / 1e6).toFixed(2)} s busy; ${(idle / 1e6).toFixed(2)} s idle)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
show('self time by source file', byFile);
show('self time by function', byFunction);
