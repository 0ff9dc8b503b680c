import { describe, expect, it } from 'vitest';
import { warnOfExposure } from '../../../server/src/app/exposure-warnings.js';
import { loadConfig } from '../../../server/src/config.js';

/** Issue 16 item 5: start-up says when /metrics (with money) or every Host name is open. */
function warnings(env: Record<string, string>): string[] {
  const seen: string[] = [];
  warnOfExposure(loadConfig(env), { warn: (_obj, msg) => void seen.push(msg) });
  return seen;
}

describe('warnOfExposure', () => {
  it('is quiet on the default loopback bind', () => {
    expect(warnings({})).toEqual([]);
  });

  it('warns that /metrics is open with money on a non-loopback address, and that any Host is accepted on 0.0.0.0', () => {
    const seen = warnings({ HOST: '0.0.0.0' });
    expect(seen).toEqual([
      expect.stringMatching(/^\/metrics is open without credentials on 0\.0\.0\.0, with contract revenue .*METRICS_MONEY=false/),
      expect.stringMatching(/^any Host header is accepted.*EXTERNAL_URL or ALLOWED_HOSTS/),
    ]);
  });

  it('says nothing of money with METRICS_MONEY=false, nothing of /metrics with credentials, nothing of Host with a name', () => {
    expect(warnings({ HOST: '10.0.0.5', METRICS_MONEY: 'false' })).toEqual([expect.not.stringMatching(/revenue/)]);
    expect(
      warnings({ HOST: '0.0.0.0', METRICS_BEARER_TOKEN: 'a-metrics-token-0123456789', EXTERNAL_URL: 'https://h.example.com' }),
    ).toEqual([]);
  });
});
