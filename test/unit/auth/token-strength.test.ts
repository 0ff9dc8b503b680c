import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimatedSecretBits, isRepeatedPattern, weakSecretReason } from '../../../server/src/domain/auth/token-strength.js';

describe('how guessable a chosen secret looks', () => {
  it('scores a string by its own character frequencies', () => {
    expect(estimatedSecretBits('a'.repeat(32))).toBe(0);
    expect(estimatedSecretBits('ab'.repeat(16))).toBe(32);
    expect(estimatedSecretBits('abcd'.repeat(8))).toBe(64);
    // 32 distinct characters: 5 bits each.
    expect(estimatedSecretBits('abcdefghijklmnopqrstuvwxyzABCDEF')).toBe(160);
  });

  it('finds a short piece repeated, even cut short at the end', () => {
    expect(isRepeatedPattern('abcdefgh'.repeat(4))).toBe(true);
    expect(isRepeatedPattern(`${'xyz'.repeat(11)}x`)).toBe(true);
    expect(isRepeatedPattern('abcdefghijklmnopqrstuvwxyzABCDEF')).toBe(false);
  });

  it('refuses 32 × a, a two-letter pattern and one piece repeated; says why', () => {
    expect(weakSecretReason('a'.repeat(32))).toBe('is one short piece repeated');
    expect(weakSecretReason('abcdefgh'.repeat(4))).toBe('is one short piece repeated');
    expect(weakSecretReason('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab')).toMatch(/too few distinct characters \(≈ 6 bits; at least 72\)/);
  });

  it('accepts random tokens as openssl makes them, every time (1,000 draws each)', () => {
    for (let i = 0; i < 1_000; i++) {
      expect(weakSecretReason(randomBytes(32).toString('base64'))).toBeNull();
      expect(weakSecretReason(randomBytes(16).toString('hex'))).toBeNull();
    }
  });
});
