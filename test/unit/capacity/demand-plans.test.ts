import { afterEach, describe, expect, it } from 'vitest';
import { createDemandPlanService } from '../../../server/src/services/capacity/demand-plans.js';
import { demandPlanOf, parseDemandPlanTerms } from '../../../server/src/domain/capacity/demand-plan-terms.js';
import { DomainError } from '../../../server/src/domain/errors.js';
import { closeDatabase, openDatabase, type Database } from '../../../server/src/pipeline/store/db.js';
import { createDemandPlanStore } from '../../../server/src/pipeline/store/demand-plan-store.js';

const utcS = (iso: string): number => Date.parse(iso) / 1000;
const NOW_MS = Date.parse('2026-11-27T14:00:00Z');

/** Plan terms with defaults a test overrides. */
const plan = (over: Record<string, unknown> = {}) => ({ name: 'training run', gpus: 128, start: '2026-12-01', end: '2026-12-31', ...over });

describe('demandPlanOf', () => {
  it('starts a plan at 00:00 UTC of its start day and ends it at 00:00 UTC of the day after its (inclusive) end', () => {
    expect(demandPlanOf({ gpus: 128, start: '2026-12-01', end: '2026-12-31' })).toEqual({
      gpus: 128,
      startS: utcS('2026-12-01T00:00:00Z'),
      endS: utcS('2027-01-01T00:00:00Z'),
    });
  });

  it('keeps a one-day plan in force for that whole day, across a leap day', () => {
    const { startS, endS } = demandPlanOf({ gpus: 8, start: '2028-02-29', end: '2028-02-29' });
    expect(startS).toBe(utcS('2028-02-29T00:00:00Z'));
    expect(endS).toBe(utcS('2028-03-01T00:00:00Z'));
  });

  it('leaves a plan without an end open (endS null: until further notice)', () => {
    expect(demandPlanOf({ gpus: 64, start: '2026-11-27', end: null })).toEqual({
      gpus: 64,
      startS: utcS('2026-11-27T00:00:00Z'),
      endS: null,
    });
  });
});

describe('parseDemandPlanTerms', () => {
  const fieldOf = (body: unknown, siteGpus = 384): unknown => {
    try {
      parseDemandPlanTerms(body, siteGpus);
      return null;
    } catch (error) {
      return error instanceof DomainError ? error.detail?.path : error;
    }
  };

  it("accepts a plan of up to the site's GPUs, defaulting end and note to null", () => {
    expect(parseDemandPlanTerms(plan({ gpus: 384, end: undefined }), 384)).toEqual({
      name: 'training run',
      gpus: 384,
      start: '2026-12-01',
      end: null,
      note: null,
    });
  });

  it('names the field of each broken rule', () => {
    expect(fieldOf(plan({ gpus: 385 }))).toBe('gpus');
    expect(fieldOf(plan({ gpus: 1.5 }))).toBe('gpus');
    expect(fieldOf(plan({ gpus: 0 }))).toBe('gpus');
    expect(fieldOf(plan({ end: '2026-11-30' }))).toBe('end');
    expect(fieldOf(plan({ start: '2026-02-29' }))).toBe('start');
    expect(fieldOf(plan({ name: undefined }))).toBe('name');
    expect(fieldOf(plan({ note: 'x'.repeat(2_001) }))).toBe('note');
    expect(fieldOf(plan({ extra: 1 }))).toBe('extra');
    expect(fieldOf(plan(), 0)).toBe('gpus');
  });
});

describe('the demand plan service', () => {
  let db: Database;
  afterEach(() => closeDatabase(db));

  function service() {
    db = openDatabase(':memory:');
    const store = createDemandPlanStore(db);
    return { store, plans: createDemandPlanService({ store, siteGpus: () => 384, nowMs: () => NOW_MS }) };
  }

  it('gives the capacity engine each plan in unix seconds, end inclusive, and a new revision on each change', () => {
    const { plans } = service();
    expect(plans.inForce()).toEqual([]);
    const r0 = plans.revision();
    const a = plans.create(plan());
    const b = plans.create(plan({ gpus: 64, start: '2027-01-15', end: null }));
    const r2 = plans.revision();
    expect(r2).not.toBe(r0);
    expect(plans.inForce()).toEqual([
      { gpus: 128, startS: utcS('2026-12-01T00:00:00Z'), endS: utcS('2027-01-01T00:00:00Z') },
      { gpus: 64, startS: utcS('2027-01-15T00:00:00Z'), endS: null },
    ]);
    plans.update(a.id, plan({ end: '2026-12-01' }));
    expect(plans.revision()).not.toBe(r2);
    expect(plans.inForce()[0]?.endS).toBe(utcS('2026-12-02T00:00:00Z'));
    const r3 = plans.revision();
    plans.remove(b.id);
    expect(plans.revision()).not.toBe(r3);
    expect(plans.inForce()).toHaveLength(1);
  });

  it('changes neither the plans nor the revision when a request is refused', () => {
    const { plans } = service();
    const a = plans.create(plan());
    const revision = plans.revision();
    expect(() => plans.create(plan({ gpus: 500 }))).toThrow(/site's total of 384 GPUs/);
    expect(() => plans.update(a.id, plan({ end: '2026-01-01' }))).toThrow(/^end: /);
    expect(() => plans.update(a.id + 1, plan())).toThrow(/no demand plan/);
    expect(() => plans.remove(a.id + 1)).toThrow(/no demand plan/);
    expect(plans.revision()).toBe(revision);
    expect(plans.list()).toEqual([a]);
  });

  it('loads the stored plans at creation, stamped by the clock it is given', () => {
    const { store, plans } = service();
    const created = plans.create(plan({ note: 'booked' }));
    expect(created.createdAt).toBe('2026-11-27T14:00:00.000Z');
    const reloaded = createDemandPlanService({ store, siteGpus: () => 384, nowMs: () => NOW_MS });
    expect(reloaded.list()).toEqual([created]);
    expect(reloaded.inForce()).toEqual(plans.inForce());
  });
});
