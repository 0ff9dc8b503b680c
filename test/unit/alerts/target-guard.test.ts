import { describe, expect, it } from 'vitest';
import { addressProblem, targetProblem, urlProblem } from '../../../server/src/services/alerts/target-guard.js';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

/** Refused whatever WEBHOOK_ALLOW_PRIVATE says: metadata, link-local, non-unicast, wrong schemes. */
const ALWAYS_REFUSED: Array<[string, RegExp]> = [
  ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', /link-local/],
  ['http://169.254.170.2/v2/credentials', /link-local/],
  ['http://[fd00:ec2::254]/latest/meta-data/', /metadata/],
  ['http://100.100.100.200/latest/meta-data/', /metadata/],
  ['http://metadata.google.internal/computeMetadata/v1/', /metadata/],
  ['http://metadata.google.internal./computeMetadata/v1/', /metadata/],
  ['http://METADATA.GOOGLE.INTERNAL/', /metadata/],
  ['http://metadata/', /metadata/],
  ['http://[fe80::1]/', /link-local/],
  ['http://[::ffff:169.254.169.254]/', /link-local/],
  ['http://0.0.0.0/', /unspecified/],
  ['http://[::]/', /unspecified/],
  ['http://224.0.0.1/', /multicast/],
  ['http://[ff02::1]/', /multicast/],
  ['http://255.255.255.255/', /broadcast/],
  ['http://240.0.0.1/', /reserved/],
  ['http://192.0.2.10/', /reserved/],
  ['http://[64:ff9b::a9fe:a9fe]/', /not a unicast/],
  ['http://[2002:a9fe:a9fe::]/', /not a unicast/],
  ['file:///etc/passwd', /scheme file:/],
  ['gopher://127.0.0.1:6379/_FLUSHALL', /scheme gopher:/],
  ['ftp://example.com/', /scheme ftp:/],
  ['http://user:pass@example.com/', /credentials/],
];

/** Refused unless WEBHOOK_ALLOW_PRIVATE=true: loopback and private networks, however written. */
const PRIVATE: string[] = [
  'http://127.0.0.1:9/',
  'http://127.1/',
  'http://2130706433/',
  'http://0x7f000001/',
  'http://0177.0.0.1/',
  'http://localhost:8080/',
  'http://api.localhost/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://10.0.0.5/',
  'http://172.16.3.4/',
  'http://192.168.1.1/',
  'http://[fc00::1]/',
  'http://100.64.0.1/',
];

describe('webhook target policy: a table of hostile URLs', () => {
  it.each(ALWAYS_REFUSED)('refuses %s, even with private targets allowed', (url, why) => {
    expect(urlProblem(url, strict)).toMatch(why);
    expect(urlProblem(url, lenient)).toMatch(why);
  });

  it.each(PRIVATE)('refuses %s unless WEBHOOK_ALLOW_PRIVATE', (url) => {
    expect(urlProblem(url, strict)).toMatch(/WEBHOOK_ALLOW_PRIVATE=true/);
    expect(urlProblem(url, lenient)).toBeNull();
  });

  it('allows public unicast addresses and names', () => {
    for (const url of [
      'https://hooks.example.com/headroom',
      'http://93.184.216.34/hook',
      'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
    ]) {
      expect(urlProblem(url, strict), url).toBeNull();
    }
  });

  it('has at least 20 hostile URLs in its table', () => {
    expect(ALWAYS_REFUSED.length + PRIVATE.length).toBeGreaterThanOrEqual(20);
  });
});

describe('names: checked against what DNS returns', () => {
  const resolver = (table: Record<string, string[]>) => async (host: string) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  };

  it('refuses a name that resolves to a private, link-local or metadata address (any of its addresses)', async () => {
    const dns = resolver({
      'inside.example': ['10.1.2.3'],
      'mixed.example': ['93.184.216.34', '169.254.169.254'],
      'public.example': ['93.184.216.34'],
    });
    expect(await targetProblem('https://inside.example/hook', strict, dns)).toMatch(/inside.example resolves to 10.1.2.3 is private/);
    expect(await targetProblem('https://mixed.example/hook', lenient, dns)).toMatch(/169.254.169.254 is link-local/);
    expect(await targetProblem('https://public.example/hook', strict, dns)).toBeNull();
    expect(await targetProblem('https://nowhere.example/hook', strict, dns)).toMatch(/does not resolve \(ENOTFOUND\)/);
  });

  it('classifies raw addresses', () => {
    expect(addressProblem('8.8.8.8', strict)).toBeNull();
    expect(addressProblem('::ffff:10.0.0.1', strict)).toMatch(/private/);
    expect(addressProblem('not-an-ip', strict)).toMatch(/not an IP address/);
  });

  it('refuses deprecated IPv4-compatible IPv6 addresses, which ipaddr.js calls unicast (issue 16: [::127.0.0.1] got through)', () => {
    const loose = { allowPrivate: true };
    expect(urlProblem('http://[::127.0.0.1]/hook', strict)).toMatch(/deprecated IPv4-compatible/);
    expect(urlProblem('http://[::7f00:1]/hook', loose)).toMatch(/deprecated IPv4-compatible/);
    expect(addressProblem('::1', strict)).toMatch(/loopback/);
    expect(addressProblem('::1', loose)).toBeNull();
    expect(addressProblem('::', strict)).toMatch(/unspecified/);
    expect(addressProblem('2001:4860:4860::8888', strict)).toBeNull();
  });
});
