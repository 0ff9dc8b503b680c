import { DomainError } from '../../domain/errors.js';

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in a Prometheus-style duration (`30s`, `5m`, `1h`, `7d`) or a bare number of seconds. */
export function parseDurationS(text: string, field: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d|w)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (UNIT_S[match[2] ?? 's'] ?? 1) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new DomainError('invalid', `${field}: "${text}" is not a duration like 30s, 5m, 1h or 7d`, { path: field });
  }
  return seconds;
}
