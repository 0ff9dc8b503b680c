import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, parseSecret, signatureOf, signWebhook } from '../../../server/src/services/alerts/signing.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { buildTestNotification } from '../../../server/src/domain/alerts/test-notification.js';

// The independent `standardwebhooks` package checks the timestamp against its own clock (±5 min),
// so deliveries here are signed "now".
const nowS = () => Math.floor(Date.now() / 1000);
const body = buildTestNotification({ name: 'ops' }, Date.now(), 'http://headroom.test').body;
const ID = 'msg_0123456789abcdef_lx2k3_1';

/** Flips one bit of the character at `i`. */
const flip = (s: string, i: number): string => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);

describe('signWebhook, verified by the standardwebhooks package', () => {
  const secret = generateSecret();

  it('produces headers the reference verifier accepts, returning the parsed body', () => {
    const headers = signWebhook(ID, nowS(), body, [secret]);
    expect(headers['webhook-id']).toBe(ID);
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('agrees with the reference signer byte for byte', () => {
    const ts = nowS();
    expect(signWebhook(ID, ts, body, [secret])['webhook-signature']).toBe(new Webhook(secret).sign(ID, new Date(ts * 1000), body));
  });

  it('fails verification when one byte of the body, the id or the timestamp is flipped', () => {
    const headers = signWebhook(ID, nowS(), body, [secret]);
    const wh = new Webhook(secret);
    for (const i of [0, Math.floor(body.length / 2), body.length - 2])
      expect(() => wh.verify(flip(body, i), { ...headers })).toThrow(/signature/i);
    expect(() => wh.verify(body, { ...headers, 'webhook-id': flip(ID, ID.length - 1) })).toThrow(/signature/i);
    const ts = headers['webhook-timestamp'];
    expect(() => wh.verify(body, { ...headers, 'webhook-timestamp': flip(ts, ts.length - 1) })).toThrow(/signature/i);
  });

  it('fails with another secret', () => {
    const headers = signWebhook(ID, nowS(), body, [secret]);
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow(/signature/i);
  });

  it('signs the body as UTF-8 bytes (non-ASCII text in annotations verifies)', () => {
    const text = '{"summary":"40 MW sellable — worth $167M a month, café"}\n';
    expect(new Webhook(secret).verify(text, { ...signWebhook(ID, nowS(), text, [secret]) })).toEqual(JSON.parse(text));
  });
});

describe('secret rotation', () => {
  it('signs with every active secret, space-separated, so each of the two verifies the same delivery', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret(24)];
    const headers = signWebhook(ID, nowS(), body, [oldSecret, newSecret]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow(/signature/i);
  });

  it('refuses to sign with no secret at all', () => {
    expect(() => signWebhook(ID, nowS(), body, [])).toThrow(RangeError);
  });
});

describe('the Standard Webhooks test vector', () => {
  it("signs msg_p5jXN8AQM9LWM0D4loKWxJek at 1614265330 as in the spec's libraries", () => {
    // The test vector the Standard Webhooks specification publishes (used by its libraries' tests).
    const key = parseSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(signatureOf(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });
});

describe('generateSecret', () => {
  it('gives whsec_ + base64 of 32 random bytes by default, or 24–64 on request', () => {
    const s = generateSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSecret(s)).toHaveLength(32);
    expect(parseSecret(generateSecret(24))).toHaveLength(24);
    expect(parseSecret(generateSecret(64))).toHaveLength(64);
    expect(generateSecret()).not.toBe(s);
    expect(() => generateSecret(16)).toThrow(RangeError);
  });
});

describe('parseSecret', () => {
  it.each([
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /missing the whsec_ prefix/],
    ['whsec_', /not standard padded base64/],
    ['whsec_not*base64!!', /not standard padded base64/],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', /not standard padded base64/],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n', /not standard padded base64/],
    [`whsec_${Buffer.alloc(16).toString('base64')}`, /decodes to 16 bytes/],
    [`whsec_${Buffer.alloc(65).toString('base64')}`, /decodes to 65 bytes/],
  ])('refuses %j with a clear message', (secret, why) => {
    try {
      parseSecret(secret);
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('invalid');
      expect((err as DomainError).detail).toEqual({ path: 'secret' });
      expect((err as DomainError).message).toMatch(why);
      expect((err as DomainError).message).toMatch(/expected whsec_ followed by the base64 of 24–64 random bytes/);
      return;
    }
    throw new Error('expected a DomainError');
  });

  it('signWebhook refuses a malformed secret the same way', () => {
    expect(() => signWebhook(ID, nowS(), body, ['whsec_short'])).toThrow(DomainError);
  });
});
