import { describe, expect, it } from 'vitest';
import { fingerprint, fnv64Hex, labelsSignature } from '../../../server/src/domain/alerts/fingerprint.js';

// Test vectors from prometheus/common model/signature_test.go (TestLabelsToSignature,
// TestMetricToFingerprint and the BenchmarkMetricToFingerprint* cases).
describe('labelsSignature matches prometheus/common', () => {
  it('hashes the empty label set to the FNV-1a offset basis 14695981039346656037', () => {
    expect(labelsSignature({})).toBe(14695981039346656037n);
    expect(fingerprint({})).toBe('cbf29ce484222325');
  });

  it('hashes {name="garland, briggs", fear="love is not enough"} to 5799056148416392346', () => {
    expect(labelsSignature({ name: 'garland, briggs', fear: 'love is not enough' })).toBe(5799056148416392346n);
  });

  it('hashes the single, double and triple benchmark sets as Go does', () => {
    expect(labelsSignature({ 'first-label': 'first-label-value' })).toBe(5146282821936882169n);
    expect(labelsSignature({ 'first-label': 'first-label-value', 'second-label': 'second-label-value' })).toBe(3195800080984914717n);
    expect(
      labelsSignature({ 'first-label': 'first-label-value', 'second-label': 'second-label-value', 'third-label': 'third-label-value' }),
    ).toBe(13843036195897128121n);
  });
});

describe('fingerprint', () => {
  it('prints 16 lower-case hex digits, zero-padded, as Fingerprint.String() (%016x)', () => {
    expect(fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe(5799056148416392346n.toString(16).padStart(16, '0'));
    expect(fingerprint({ alertname: 'OversoldRisk', site: 's1' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not depend on the order labels were written in', () => {
    expect(fingerprint({ b: '2', a: '1', c: '3' })).toBe(fingerprint({ a: '1', b: '2', c: '3' }));
  });

  it('separates names from values, so {a="bc"} and {ab="c"} differ', () => {
    expect(fingerprint({ a: 'bc' })).not.toBe(fingerprint({ ab: 'c' }));
    expect(fingerprint({ a: '', b: '' })).not.toBe(fingerprint({ a: 'b' }));
  });

  it('hashes values as UTF-8 bytes: "é" is 0xC3 0xA9, not one UTF-16 unit', () => {
    // FNV-1a by hand over a 0xFF b 0xFF with b = C3 A9.
    let h = 14695981039346656037n;
    for (const byte of [0x61, 0xff, 0xc3, 0xa9, 0xff]) h = ((h ^ BigInt(byte)) * 1099511628211n) & ((1n << 64n) - 1n);
    expect(labelsSignature({ a: 'é' })).toBe(h);
  });

  it('sorts names byte-wise as Go: "Z" (0x5A) before "_" (0x5F) before "a" (0x61)', () => {
    let h = 14695981039346656037n;
    for (const ch of 'Z\xff1\xff_\xff2\xffa\xff3\xff') h = ((h ^ BigInt(ch.charCodeAt(0))) * 1099511628211n) & ((1n << 64n) - 1n);
    expect(labelsSignature({ a: '3', _: '2', Z: '1' })).toBe(h);
  });

  it('is stable for a Headroom alert: same labels, same fingerprint, on every run', () => {
    const labels = { alertname: 'TelemetryStale', hall: 'h03', severity: 'warning', site: 's1' };
    expect(fingerprint(labels)).toBe(fingerprint({ ...labels }));
    expect(fingerprint(labels)).not.toBe(fingerprint({ ...labels, hall: 'h04' }));
  });
});

describe('fnv64Hex', () => {
  it('is FNV-1a 64 of the UTF-8 string: "" is the offset basis, "a" is af63dc4c8601ec8c', () => {
    expect(fnv64Hex('')).toBe('cbf29ce484222325');
    expect(fnv64Hex('a')).toBe('af63dc4c8601ec8c');
  });
});
