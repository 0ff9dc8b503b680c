import ipaddr from 'ipaddr.js';

/**
 * The key a client's connections are counted under: an IPv4 address as it is, an IPv6 address
 * by its /64. A single IPv6 host is usually handed a whole /64 (SLAAC, privacy addresses), so
 * counting each address alone would let one machine take 2^64 slots. An IPv4 address mapped
 * into IPv6 (`::ffff:10.0.0.1`, how a dual-stack listener sees IPv4 clients) counts as IPv4.
 * Anything unparsable (a socket already closed) is counted as it is written.
 */
export function addressKeyOf(address: string | undefined): string {
  if (address === undefined || !ipaddr.isValid(address)) return address ?? 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = parsed.toByteArray().slice(0, 8);
  return `${ipaddr.fromByteArray([...prefix, 0, 0, 0, 0, 0, 0, 0, 0]).toString()}/64`;
}
