/**
 * Micro-benchmark for parseDcgmText (not a test): `npx tsx test/unit/ingest/dcgm-speed.manual.ts`.
 *
 * Builds 24,576 node payloads (a ~200k-GPU site) of 8 GPUs × 8 families in the form
 * dcgm-exporter serves (HELP/TYPE per family, full label sets, a pod on some GPUs), parses
 * them all a few times and prints Prometheus samples (series lines) per second and GPU
 * samples per second on one core.
 */
import { parseDcgmText } from '../../../server/src/pipeline/ingest/dcgm-text.js';

const NODES = Number(process.argv[2] ?? 24_576);
const ROUNDS = Number(process.argv[3] ?? 7);
const GPUS_PER_NODE = 8;

const FAMILIES: ReadonlyArray<{ name: string; help: string; value: (g: number, n: number) => string }> = [
  { name: 'DCGM_FI_DEV_SM_CLOCK', help: 'SM clock frequency (in MHz).', value: (g) => String(1980 - g * 15) },
  { name: 'DCGM_FI_DEV_GPU_TEMP', help: 'GPU temperature (in C).', value: (g, n) => String(27 + ((g + n) % 40)) },
  { name: 'DCGM_FI_DEV_POWER_USAGE', help: 'Power draw (in W).', value: (g, n) => (67 + ((g * 97 + n * 31) % 630) + 0.433).toFixed(6) },
  { name: 'DCGM_FI_DEV_GPU_UTIL', help: 'GPU utilization (in %).', value: (g, n) => String((g * 13 + n) % 101) },
  { name: 'DCGM_FI_DEV_FB_FREE', help: 'Framebuffer memory free (in MiB).', value: (g) => String(81559 - 1011 * (g % 3)) },
  { name: 'DCGM_FI_DEV_FB_USED', help: 'Framebuffer memory used (in MiB).', value: (g) => String(1011 * (g % 3)) },
  { name: 'DCGM_FI_DEV_XID_ERRORS', help: 'Value of the last XID error encountered.', value: () => '0' },
  {
    name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    help: 'Ratio of time the graphics engine is active.',
    value: (g, n) => (((g * 7 + n) % 100) / 100).toFixed(6),
  },
];

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0').slice(-width);
}

function gpuLabels(node: number, g: number): string {
  const uuid = `GPU-${hex(node * 8 + g, 8)}-${hex(node, 4)}-${hex(g * 977, 4)}-${hex(node ^ 0x5a5a, 4)}-${hex(node * 31 + g, 8)}${hex(g, 4)}`;
  const host = `ip-100-64-${(node >> 8) & 255}-${node & 255}.ec2.internal`;
  let labels =
    `gpu="${g}",UUID="${uuid}",pci_bus_id="00000000:${hex(0x53 + g * 0x11, 2).toUpperCase()}:00.0",device="nvidia${g}",` +
    `modelName="NVIDIA H100 80GB HBM3",Hostname="${host}",DCGM_FI_DRIVER_VERSION="580.105.08"`;
  if ((node + g) % 3 === 0) {
    labels += `,container="main",namespace="dynamo-workload",pod="vllm-agg-0-vllmdecodeworker-${hex(node * 8 + g, 5)}",pod_uid=""`;
  }
  return labels;
}

function nodePayload(node: number): string {
  const labels = Array.from({ length: GPUS_PER_NODE }, (_, g) => gpuLabels(node, g));
  let out = '';
  for (const family of FAMILIES) {
    out += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n`;
    for (let g = 0; g < GPUS_PER_NODE; g++) out += `${family.name}{${labels[g] ?? ''}} ${family.value(g, node)}\n`;
  }
  return out;
}

console.log(`building ${NODES} node payloads…`);
const payloads: string[] = [];
let bytes = 0;
for (let n = 0; n < NODES; n++) {
  // A scrape body arrives as one flat string (decoded from a Buffer), not a rope of concatenations.
  const p = Buffer.from(nodePayload(n), 'latin1').toString('latin1');
  payloads.push(p);
  bytes += p.length;
}
const seriesPerRound = NODES * GPUS_PER_NODE * FAMILIES.length;
console.log(`${(bytes / 1e6).toFixed(0)} MB of text, ${seriesPerRound} series per round`);

/** Machine yardstick: one charCodeAt pass over the same text, to compare figures across machines. */
function baselineMBps(): { mbps: number; sum: number } {
  const t0 = process.hrtime.bigint();
  let sum = 0;
  for (const p of payloads) for (let i = 0; i < p.length; i++) sum += p.charCodeAt(i);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { mbps: bytes / seconds / 1e6, sum };
}

let checksum = 0;
const seriesRates: number[] = [];
for (let round = 0; round <= ROUNDS; round++) {
  const t0 = process.hrtime.bigint();
  let gpuSamples = 0;
  for (const p of payloads) {
    const batch = parseDcgmText(p, { maxLines: 1000, maxSeries: 1000 });
    gpuSamples += batch.samples.length;
    checksum += batch.samples[0]?.powerWatts ?? 0;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (round > 0) seriesRates.push(seriesPerRound / seconds);
  const label = round === 0 ? 'warm-up' : `round ${round}`;
  console.log(
    `${label}: ${seconds.toFixed(3)} s, ${(seriesPerRound / seconds / 1e6).toFixed(2)}M series/s, ` +
      `${(gpuSamples / seconds / 1e6).toFixed(2)}M GPU samples/s, ${(bytes / seconds / 1e6).toFixed(0)} MB/s`,
  );
}
seriesRates.sort((a, b) => a - b);
const median = seriesRates[Math.floor(seriesRates.length / 2)] ?? 0;
const best = seriesRates[seriesRates.length - 1] ?? 0;
console.log(`series/s: median ${(median / 1e6).toFixed(2)}M, best ${(best / 1e6).toFixed(2)}M (GPU samples/s = series/s ÷ 8)`);
const yardstick = baselineMBps();
checksum += yardstick.sum % 7;
console.log(`yardstick: a bare charCodeAt pass over the same text runs at ${yardstick.mbps.toFixed(0)} MB/s on this machine`);
console.log(`checksum ${checksum.toFixed(3)}`);
