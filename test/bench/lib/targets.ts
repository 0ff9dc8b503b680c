/**
 * Node endpoints on loopback: node i listens (through one wildcard socket of the target
 * server) at its own address 127.1.y.z, so every node is its own HTTP origin with its own
 * connections, as real exporters on separate machines are.
 */

const PER_Y = 254;

/** The loopback address of node i (0-based): 127.x.y.z with z in 1–254. */
export function loopbackAddress(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 254 * 256 * 254) throw new RangeError(`node index ${i} out of range`);
  const z = 1 + (i % PER_Y);
  const rest = Math.floor(i / PER_Y);
  return `127.${1 + Math.floor(rest / 256)}.${rest % 256}.${z}`;
}

/** The node index a loopback address stands for (inverse of loopbackAddress), or -1. */
export function nodeIndexOfAddress(address: string): number {
  const m = /^(?:::ffff:)?127\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (!m) return -1;
  const x = Number(m[1]);
  const y = Number(m[2]);
  const z = Number(m[3]);
  if (x < 1 || y > 255 || z < 1 || z > PER_Y) return -1;
  return ((x - 1) * 256 + y) * PER_Y + (z - 1);
}

/** The scrape URL of node i on a target server listening on `port`. */
export const targetUrl = (i: number, port: number): string => `http://${loopbackAddress(i)}:${port}/metrics`;
