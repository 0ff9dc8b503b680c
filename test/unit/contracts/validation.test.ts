import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contractBodySchema, parseContract, validateContract, type Contract } from '../../../server/src/domain/contracts/contract.js';
import { contract, expectInvalid, referenceDeal, site } from './builders.js';

const check =
  (over: Partial<Contract>, limits = site()) =>
  () =>
    validateContract(contract(over), limits);

describe('validateContract', () => {
  it('accepts a plain contract and the reference deal on a site large enough', () => {
    expect(() => validateContract(contract(), site())).not.toThrow();
    expect(() => validateContract(referenceDeal(), site({ facilityWatts: 300_000_000 }))).not.toThrow();
  });

  it('refuses an end before the start, naming end', () => {
    expectInvalid(check({ start: '2026-06-01', end: '2026-05-31' }), 'end');
  });

  it("refuses watts below one GPU's share of the feed, which would bill for no pod (issue 16: 1e-10 W was accepted)", () => {
    const limits = site({ gpus: 1_000, facilityWatts: 1_000_000 }); // 1,000 W a GPU
    expectInvalid(check({ capacity: { watts: 1e-10 } }, limits), 'capacity.watts');
    expectInvalid(check({ capacity: { watts: 999.99 } }, limits), 'capacity.watts');
    expect(check({ capacity: { watts: 1_000 } }, limits)).not.toThrow();
  });

  it('refuses more than ten years of notice, or notice longer than the term (issue 16: 1e15 days was accepted)', () => {
    expectInvalid(check({ noticeDays: 1e15 }), 'noticeDays');
    expectInvalid(check({ noticeDays: 3_654, end: '2036-12-31' }), 'noticeDays');
    expect(check({ noticeDays: 3_653, end: '2036-12-31' })).not.toThrow();
    // 2026-06-01..2026-08-31 is 92 days.
    expect(check({ noticeDays: 92 })).not.toThrow();
    expectInvalid(check({ noticeDays: 93 }), 'noticeDays', /longer than the term 2026-06-01..2026-08-31 \(92 days\)/);
    expect(check({ start: '2026-06-01', end: '2026-06-01', noticeDays: 1 })).not.toThrow();
    expectInvalid(check({ start: '2026-06-01', end: '2026-06-01', noticeDays: 90 }), 'noticeDays');
    expect(contractBodySchema.safeParse({ ...contract(), noticeDays: 1e15 }).success).toBe(false);
  });

  it('accepts a single-day contract (end = start)', () => {
    expect(check({ start: '2026-06-01', end: '2026-06-01' })).not.toThrow();
  });

  it('refuses malformed and non-existent dates, naming the field', () => {
    expectInvalid(check({ start: '2026-02-30' }), 'start');
    expectInvalid(check({ start: '2026-6-1' }), 'start');
    expectInvalid(check({ end: '2027-02-29' }), 'end');
    expectInvalid(check({ end: '2026-08-31T00:00:00Z' }), 'end');
    expect(check({ start: '2028-02-29', end: '2028-03-31' })).not.toThrow();
  });

  it('refuses a term longer than 600 calendar months', () => {
    expectInvalid(check({ start: '2026-01-01', end: '2076-01-01' }), 'end');
    expect(check({ start: '2026-01-01', end: '2075-12-31' })).not.toThrow();
  });

  it('refuses a zero, negative, sub-cent or absurd price', () => {
    for (const monthlyPriceUsd of [0, -5, 12.345, Number.NaN, Number.POSITIVE_INFINITY, 10_000_000_000.01]) {
      expectInvalid(check({ monthlyPriceUsd }), 'monthlyPriceUsd');
    }
    expect(check({ monthlyPriceUsd: 0.01 })).not.toThrow();
  });

  it('refuses ramp months that are not non-negative whole numbers', () => {
    expectInvalid(check({ ramp: [{ months: 1.5, factor: 0.5 }] }), 'ramp.0.months');
    expectInvalid(
      check({
        ramp: [
          { months: 1, factor: 0.5 },
          { months: -1, factor: 0.5 },
        ],
      }),
      'ramp.1.months',
    );
  });

  it('refuses a ramp factor outside (0, 10]', () => {
    for (const factor of [0, -0.5, 10.01, Number.NaN]) {
      expectInvalid(check({ ramp: [{ months: 1, factor }] }), 'ramp.0.factor');
    }
    expect(check({ ramp: [{ months: 1, factor: 10 }] })).not.toThrow();
  });

  it('refuses a ramp longer than the term in calendar months', () => {
    // 2026-06-15..2026-08-14 touches June, July and August: 3 months.
    expect(check({ start: '2026-06-15', end: '2026-08-14', ramp: [{ months: 3, factor: 0.5 }] })).not.toThrow();
    expectInvalid(
      check({
        start: '2026-06-15',
        end: '2026-08-14',
        ramp: [
          { months: 2, factor: 0.5 },
          { months: 2, factor: 0.8 },
        ],
      }),
      'ramp',
    );
    expectInvalid(check({ start: '2026-03-15', end: '2026-03-15', ramp: [{ months: 2, factor: 0.5 }] }), 'ramp');
  });

  it('refuses negative or fractional notice', () => {
    expectInvalid(check({ noticeDays: -1 }), 'noticeDays');
    expectInvalid(check({ noticeDays: 1.5 }), 'noticeDays');
    expect(check({ noticeDays: 0 })).not.toThrow();
  });

  it('refuses an empty customer', () => {
    expectInvalid(check({ customer: '  ' }), 'customer');
  });

  it('refuses zero or fractional capacity', () => {
    expectInvalid(check({ capacity: { watts: 0 } }), 'capacity.watts');
    expectInvalid(check({ capacity: { gpus: 0 } }), 'capacity.gpus');
    expectInvalid(check({ capacity: { gpus: 8.5 } }), 'capacity.gpus');
    expectInvalid(check({ capacity: { pods: -1 } }), 'capacity.pods');
  });

  it('refuses one contract larger than the whole site, and accepts one exactly its size', () => {
    // Site: 2,048 GPUs, 8 pods, 3 MW feed.
    expectInvalid(check({ capacity: { watts: 3_000_001 } }), 'capacity.watts');
    expectInvalid(check({ capacity: { gpus: 2_049 } }), 'capacity.gpus');
    expectInvalid(check({ capacity: { pods: 9 } }), 'capacity.pods');
    expect(check({ capacity: { watts: 3_000_000 } })).not.toThrow();
    expect(check({ capacity: { gpus: 2_048 } })).not.toThrow();
    expect(check({ capacity: { pods: 8 } })).not.toThrow();
  });

  it('refuses every contract on a zero-capacity site', () => {
    const empty = site({ gpus: 0, facilityWatts: 0, pods: 0 });
    expectInvalid(check({ capacity: { watts: 1 } }, empty), 'capacity.watts');
    expectInvalid(check({ capacity: { gpus: 1 } }, empty), 'capacity.gpus');
    expectInvalid(check({ capacity: { pods: 1 } }, empty), 'capacity.pods');
  });

  it('refuses the reference deal on a 100 MW site', () => {
    expectInvalid(() => validateContract(referenceDeal(), site({ facilityWatts: 100_000_000 })), 'capacity.watts');
  });
});

describe('parseContract', () => {
  const body = {
    customer: 'Acme Labs',
    capacity: { pods: 2 },
    start: '2026-06-01',
    end: '2026-08-31',
    monthlyPriceUsd: 3_000,
    noticeDays: 30,
  };

  it('fills ramp and status defaults and keeps an id', () => {
    expect(parseContract(body, site())).toEqual({ ...body, ramp: [], status: 'active' });
    expect(parseContract({ ...body, id: 'c-1' }, site())).toMatchObject({ id: 'c-1' });
  });

  it('names the field of a shape error', () => {
    const { monthlyPriceUsd: _omit, ...noPrice } = body;
    expectInvalid(() => parseContract(noPrice, site()), 'monthlyPriceUsd');
    expectInvalid(() => parseContract({ ...body, start: '2026-02-30' }, site()), 'start');
    expectInvalid(() => parseContract({ ...body, capacity: { pods: 1, gpus: 8 } }, site()), 'capacity');
    expectInvalid(() => parseContract({ ...body, ramp: [{ months: 1, factor: 11 }] }, site()), 'ramp.0.factor');
    expectInvalid(() => parseContract({ ...body, surprise: true }, site()), 'surprise');
    expectInvalid(() => parseContract({ ...body, capacity: { megawatts: 3 } }, site()), 'capacity');
    expectInvalid(() => parseContract('not an object', site()), 'body');
  });

  it('names the field of a rule that relates fields', () => {
    expectInvalid(() => parseContract({ ...body, end: '2026-05-01' }, site()), 'end');
    expectInvalid(() => parseContract({ ...body, capacity: { pods: 9 } }, site()), 'capacity.pods');
  });

  it('exports a schema an OpenAPI document can be generated from', () => {
    const schema = z.toJSONSchema(contractBodySchema, { io: 'input' });
    expect(schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['customer', 'capacity', 'start', 'end']) });
  });
});
