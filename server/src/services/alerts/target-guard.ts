import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go. A webhook URL is chosen by whoever holds an operator token, and the
 * server posts to it from inside the network: without these checks it is a way to reach cloud
 * metadata services (credentials), link-local devices, or internal services (SSRF).
 *
 * Checked when a receiver is saved, and again on every connection against the addresses DNS
 * actually returned then (a name that resolved to a public address at save time may resolve to
 * 127.0.0.1 later: DNS rebinding). Redirects are never followed (webhook-post.ts).
 */
export interface TargetPolicy {
  /** Loopback, RFC 1918, unique-local and CGNAT addresses allowed (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/** Ranges (ipaddr.js names) allowed only with allowPrivate. Anything not `unicast` or in here is refused. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);
/** Metadata services that sit in otherwise-allowed ranges (Alibaba in CGNAT, AWS IMDS over IPv6 in unique-local). */
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254']);
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

/** Why `address` may not be a webhook target, or null when it may. */
export function addressProblem(address: string, policy: TargetPolicy): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1 to the kernel.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291) reaches a.b.c.d on some stacks; ipaddr.js
  // calls ::7f00:1 unicast, so refuse the whole ::/96 but :: and ::1 (classified below).
  if (ip.kind() === 'ipv6' && isIpv4Compatible(ip as ipaddr.IPv6)) return `${address} is a deprecated IPv4-compatible IPv6 address`;
  const normal = ip.toString();
  if (METADATA_ADDRESSES.has(normal)) return `${address} is a cloud metadata service`;
  const range = ip.range();
  if (range === 'unicast') return null;
  if (PRIVATE_RANGES.has(range))
    return policy.allowPrivate ? null : `${address} is ${range} (set WEBHOOK_ALLOW_PRIVATE=true to allow private and loopback targets)`;
  if (range === 'linkLocal') return `${address} is link-local (cloud metadata services live there)`;
  return `${address} is ${range}, not a unicast address`;
}

function isIpv4Compatible(ip: ipaddr.IPv6): boolean {
  const p = ip.parts;
  return p.slice(0, 6).every((x) => x === 0) && !(p[6] === 0 && (p[7] === 0 || p[7] === 1));
}

/** Why `url` may not be a webhook target before any DNS (scheme, credentials, metadata names, literal addresses), or null. */
export function urlProblem(url: string, policy: TargetPolicy): string | null {
  if (!URL.canParse(url)) return 'not a URL';
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `scheme ${parsed.protocol} is not http or https`;
  if (parsed.username || parsed.password) return 'credentials in the URL are refused (put them in the receiver, not the URL)';
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service`;
  if (host === 'localhost' || host.endsWith('.localhost'))
    return policy.allowPrivate ? null : `${host} is loopback (set WEBHOOK_ALLOW_PRIVATE=true to allow private and loopback targets)`;
  return isIP(host) ? addressProblem(host, policy) : null;
}

export type Resolve = (host: string) => Promise<string[]>;

/** Every address the system resolver returns for `host`. */
export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addresses: LookupAddress[]) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))),
  );

/** The save-time check: the URL, then every address its name resolves to now. */
export async function targetProblem(url: string, policy: TargetPolicy, resolve: Resolve = systemResolve): Promise<string | null> {
  const problem = urlProblem(url, policy);
  if (problem) return problem;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) || host === 'localhost') return null;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    return `${host} does not resolve (${(error as { code?: string }).code ?? String(error)})`;
  }
  for (const address of addresses) {
    const refused = addressProblem(address, policy);
    if (refused) return `${host} resolves to ${refused}`;
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for the sockets that deliver webhooks: resolves as the system does, then refuses the
 * connection if any address it would use is not allowed — the check that defeats DNS rebinding.
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (host, options, callback: LookupCallback): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    resolve(host).then(
      (addresses) => {
        const usable = addresses.filter((a) => family === 0 || isIP(a) === family);
        const refused = usable.map((a) => addressProblem(a, policy)).find((p) => p !== null);
        if (refused || usable.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`refused target: ${host} resolves to ${refused ?? 'no usable address'}`);
          err.code = 'ETARGETREFUSED';
          callback(err, '', 0);
          return;
        }
        if (options.all)
          callback(
            null,
            usable.map((a) => ({ address: a, family: isIP(a) })),
          );
        else callback(null, usable[0] ?? '', isIP(usable[0] ?? ''));
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
