import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../../server/src/domain/duration.js';
import { compare, parseAlertRules, RESERVED_LABELS } from '../../../server/src/domain/alerts/rule.js';
import { expectInvalid } from './builders.js';

const base = { name: 'R', figure: 'sellable_watts', op: '>', threshold: 0, severity: 'info' };

describe('parseDurationSeconds', () => {
  it.each([
    ['6h', 21_600],
    ['1h30m', 5_400],
    ['90s', 90],
    ['2m', 120],
    ['7d', 604_800],
    ['1w', 604_800],
    ['500ms', 0.5],
    ['120', 120],
    [' 5m ', 300],
  ])('reads %s as %d s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '6 hours', 'h', '1y', '-5m', '5m3', 'm5'])('refuses %j', (text) => {
    expect(parseDurationSeconds(text)).toBeNull();
  });
});

describe('parseAlertRules', () => {
  it('fills defaults: no or-conditions, for 0, no labels or annotations, enabled', () => {
    expect(parseAlertRules([base])).toEqual([{ ...base, or: [], for: 0, labels: {}, annotations: {}, enabled: true }]);
  });

  it('takes `for` as seconds or a duration string and stores seconds', () => {
    const [a, b] = parseAlertRules([
      { ...base, name: 'A', for: '6h' },
      { ...base, name: 'B', for: 120 },
    ]);
    expect(a?.for).toBe(21_600);
    expect(b?.for).toBe(120);
  });

  it('round-trips: what it returns parses to itself (GET then PUT changes nothing)', () => {
    const once = parseAlertRules([
      { ...base, for: '2m', threshold: { figure: 'notice_period_seconds' }, figure: 'risk_lead_seconds', op: '<' },
    ]);
    expect(parseAlertRules(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('refuses a bad duration, naming the field', () => {
    expectInvalid(() => parseAlertRules([{ ...base, for: '6 hours' }]), '0.for', /duration/);
    expectInvalid(() => parseAlertRules([{ ...base, for: -1 }]), '0.for');
  });

  it('refuses an unknown figure, operator or severity', () => {
    expectInvalid(() => parseAlertRules([{ ...base, figure: 'sellable_bananas' }]), '0.figure');
    expectInvalid(() => parseAlertRules([{ ...base, op: '=>' }]), '0.op');
    expectInvalid(() => parseAlertRules([{ ...base, severity: 'page' }]), '0.severity');
  });

  it('refuses unknown fields (a typo is not silently ignored)', () => {
    expectInvalid(() => parseAlertRules([{ ...base, treshold: 5 }]), '0.treshold');
  });

  it('refuses a name that is not an identifier, and duplicate names', () => {
    expectInvalid(() => parseAlertRules([{ ...base, name: 'has space' }]), '0.name');
    expectInvalid(() => parseAlertRules([base, base]), '1.name', /duplicate/);
  });

  it.each(RESERVED_LABELS)('refuses a rule label the engine sets: %s', (name) => {
    expectInvalid(() => parseAlertRules([{ ...base, labels: { [name]: 'x' } }]), `0.labels.${name}`, /set by the engine/);
  });

  it('accepts team-style labels', () => {
    expect(parseAlertRules([{ ...base, labels: { team: 'capacity', page: 'yes' } }])[0]?.labels).toEqual({ team: 'capacity', page: 'yes' });
  });

  it('refuses comparing a site rule with a per-hall figure, in the threshold or an or-condition', () => {
    expectInvalid(() => parseAlertRules([{ ...base, threshold: { figure: 'telemetry_age_seconds' } }]), '0.threshold.figure', /per hall/);
    expectInvalid(
      () => parseAlertRules([{ ...base, or: [{ figure: 'contract_undelivered_gpus', op: '>', threshold: 0 }] }]),
      '0.or.0.figure',
      /per contract/,
    );
  });

  it('lets a per-hall rule read its site figures', () => {
    expect(() =>
      parseAlertRules([{ ...base, figure: 'telemetry_age_seconds', threshold: { figure: 'notice_period_seconds' } }]),
    ).not.toThrow();
  });

  it('refuses a template with an unknown variable, formatter or figure, naming the annotation', () => {
    expectInvalid(
      () => parseAlertRules([{ ...base, annotations: { summary: '{{ valu }}' } }]),
      '0.annotations.summary',
      /expected \{\{ value \}\}/,
    );
    expectInvalid(
      () => parseAlertRules([{ ...base, annotations: { summary: '{{ value | megawatts }}' } }]),
      '0.annotations.summary',
      /unknown formatter/,
    );
    expectInvalid(() => parseAlertRules([{ ...base, annotations: { d: '{{ figures.nope }}' } }]), '0.annotations.d', /unknown figure/);
    expectInvalid(
      () => parseAlertRules([{ ...base, annotations: { d: '{{ figures.telemetry_age_seconds }}' } }]),
      '0.annotations.d',
      /per hall/,
    );
  });

  it('refuses a non-finite threshold (JSON cannot carry one, and NaN never compares)', () => {
    expectInvalid(() => parseAlertRules([{ ...base, threshold: Number.NaN }]), '0.threshold');
  });

  it('refuses a body that is not a list', () => {
    expectInvalid(() => parseAlertRules({ rules: [] }), 'body');
  });
});

describe('compare', () => {
  it.each([
    [2, '>', 1, true],
    [1, '>', 1, false],
    [1, '>=', 1, true],
    [0, '<', 1, true],
    [1, '<=', 1, true],
    [1, '==', 1, true],
    [1, '!=', 1, false],
    [Infinity, '>', 1e300, true],
    [Infinity, '<', 7_776_000, false],
  ] as const)('%d %s %d is %s', (a, op, b, result) => {
    expect(compare(a, op, b)).toBe(result);
  });

  it('never holds for NaN, not even !=', () => {
    expect(compare(Number.NaN, '!=', 1)).toBe(false);
    expect(compare(1, '!=', Number.NaN)).toBe(false);
  });
});
