import { describe, expect, it } from 'vitest';
import { hostPolicy, hostRefusal } from '../../../server/src/outputs/http/host-check.js';

/** Issue 16 item 5: a DNS-rebinding page sends its own name as Host; only this server's names pass. */
const policy = (host: string, externalUrl: string | null = null, allowedHosts: string[] = []) =>
  hostPolicy({ host, externalUrl, allowedHosts });
const allowed = (p: ReturnType<typeof policy>, host: string | undefined): boolean => hostRefusal(p, host) === null;

describe('hostRefusal', () => {
  it('accepts loopback names and any IP literal, with or without a port, on the default bind', () => {
    const p = policy('127.0.0.1');
    for (const host of ['localhost', 'localhost:8080', 'LOCALHOST.', '127.0.0.1:8080', '[::1]:8080', '[::1]', '10.1.2.3:8080', undefined])
      expect(allowed(p, host), String(host)).toBe(true);
  });

  it('refuses any other name, naming the Host and the settings that would admit it', () => {
    const p = policy('127.0.0.1');
    expect(hostRefusal(p, 'evil.example:8080')).toMatch(/^Host "evil\.example:8080" is not a name of this server: .*ALLOWED_HOSTS/);
    for (const host of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'a@localhost', 'localhost/x', 'localhost?x', ''])
      expect(allowed(p, host), host).toBe(false);
  });

  it("accepts EXTERNAL_URL's host, HOST when a name, and ALLOWED_HOSTS, in any case", () => {
    const p = policy('headroom.internal', 'https://Headroom.Example.com/base', ['grafana-proxy', 'Ops.Example.net']);
    for (const host of ['headroom.example.com', 'HEADROOM.example.com:443', 'headroom.internal:8080', 'grafana-proxy', 'ops.example.net'])
      expect(allowed(p, host), host).toBe(true);
    expect(allowed(p, 'example.com')).toBe(false);
  });

  it('accepts any Host bound to all interfaces with no name configured, and with ALLOWED_HOSTS=*', () => {
    expect(allowed(policy('0.0.0.0'), 'anything.example')).toBe(true);
    expect(allowed(policy('::'), 'anything.example')).toBe(true);
    expect(allowed(policy('127.0.0.1', null, ['*']), 'anything.example')).toBe(true);
    // A name configured: bound to all interfaces, only the names pass.
    expect(allowed(policy('0.0.0.0', 'https://headroom.example.com'), 'anything.example')).toBe(false);
    expect(allowed(policy('0.0.0.0', null, ['headroom.example.com']), 'headroom.example.com:8080')).toBe(true);
  });
});
