/**
 * fast-check inputs shared by the parser fuzz (unit) and the endpoint fuzz (integration): junk,
 * near misses of each body format, and the run settings both print.
 */
import fc from 'fast-check';

/** Issue 8: at least this many generated cases per parser and per endpoint. */
export const FUZZ_RUNS = 10_000;

/**
 * FUZZ_SEED=<n> replays a run; without it every run draws a fresh seed. Either way the seed is
 * printed with the case counts (and fast-check prints its seed and path on a failure).
 */
export const FUZZ_SEED: number = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(FUZZ_SEED)) throw new Error(`FUZZ_SEED must be an integer (got ${process.env.FUZZ_SEED})`);

/** One line for the test output: what ran, how many cases, how long, and how to replay it. */
export function fuzzSummary(what: string, cases: number, ms: number, extra = ''): string {
  return `fuzz ${what}: ${cases} cases in ${(ms / 1000).toFixed(1)} s (${Math.round(cases / (ms / 1000))}/s)${extra ? `, ${extra}` : ''}; replay with FUZZ_SEED=${FUZZ_SEED}`;
}

/** Real text, cut and spliced at random places, with random bytes dropped in: near-misses of the format. */
export const mangled = (real: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.nat({ max: real.length }),
      fc.nat({ max: real.length }),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('', '\n', '\r\n', '{', '"', '}', ' ', '\u0000', 'NaN', '1e309', '-0'),
    )
    .map(([a, b, junk, token]) => real.slice(0, Math.min(a, b)) + junk + token + real.slice(Math.max(a, b)));

/** Mostly `valid`, sometimes `junk`: bodies whose fields are each usually right reach the deeper checks, and some pass. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, junk: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: junk });

/** Strings that are mostly right, else short junk, long (past a small label limit) or odd. */
const label = (valid: string): fc.Arbitrary<string> =>
  mostly(
    fc.constant(valid),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', minLength: 60, maxLength: 80 }),
      fc.constantFrom('', ' ', '\u0000', '😀'.repeat(70)),
    ),
  );

/** JSON push batches: the right shape with wrong, missing, extra and too-long fields. */
export const jsonPushBody = (): fc.Arbitrary<unknown> => {
  const gpu = fc.record(
    {
      uuid: label('GPU-fuzz-1'),
      host: label('fuzz-node'),
      index: mostly(fc.integer({ min: 0, max: 7 }), fc.oneof(fc.integer({ min: -1, max: 70_000 }), fc.double())),
      model: label('NVIDIA H100 80GB HBM3'),
      powerWatts: mostly(
        fc.double({ min: 0, max: 700, noNaN: true }),
        fc.oneof(fc.double(), fc.string({ maxLength: 5 }), fc.constant(null)),
      ),
      utilizationPercent: mostly(fc.integer({ min: 0, max: 100 }), fc.double()),
      memoryUsedMiB: mostly(fc.integer({ min: 0, max: 81_559 }), fc.double()),
      xid: mostly(fc.constantFrom(0, 79, null), fc.integer({ min: -1, max: 200 })),
    },
    { requiredKeys: [] },
  );
  const node = fc.record(
    { host: label('fuzz-node'), drained: mostly(fc.boolean(), fc.string({ maxLength: 4 })), reason: label('maintenance') },
    { requiredKeys: [] },
  );
  const meter = fc.record(
    {
      id: label('m-1'),
      scope: mostly(fc.constantFrom('site', 'hall:h01'), fc.oneof(fc.constantFrom('hall:', 'pod:1'), fc.string({ maxLength: 8 }))),
      // Past twice the site feed (1e300 was once accepted): refused whole, like any other bad field.
      watts: mostly(fc.nat(), fc.oneof(fc.double(), fc.constantFrom(1e300, 1e12, -1))),
    },
    { requiredKeys: [] },
  );
  return mostly(
    fc.record(
      { gpus: fc.array(gpu, { maxLength: 4 }), nodes: fc.array(node, { maxLength: 2 }), meters: fc.array(meter, { maxLength: 2 }) },
      { requiredKeys: [] },
    ),
    fc.record(
      { gpus: fc.anything({ maxDepth: 2 }), nodes: fc.anything({ maxDepth: 2 }), meters: fc.anything({ maxDepth: 2 }) },
      { requiredKeys: [] },
    ),
  );
};

const junkDate = fc.oneof(fc.constantFrom('2024-02-30', '2025-02-29', '2026-13-01', '2026-6-1', ''), fc.string({ maxLength: 12 }));
/** Valid starts all come before valid ends. */
const startDate = mostly(fc.constantFrom('2026-06-01', '2026-12-01', '2024-02-29'), junkDate);
const endDate = mostly(fc.constantFrom('2027-05-31', '2029-05-31'), junkDate);

/** Contract terms: each field mostly valid. */
export const contractBody = (): fc.Arbitrary<unknown> =>
  fc.record(
    {
      customer: mostly(fc.constant('Fuzz Labs'), fc.string({ maxLength: 30 })),
      capacity: mostly(
        fc.oneof(
          fc.record({ pods: fc.integer({ min: 1, max: 2 }) }),
          fc.record({ gpus: fc.integer({ min: 1, max: 128 }) }),
          fc.record({ watts: fc.integer({ min: 1, max: 200_000 }) }),
        ),
        fc.oneof(
          fc.record({ pods: fc.oneof(fc.integer({ min: -1, max: 8 }), fc.double()) }),
          fc.record({ gpus: fc.integer() }),
          fc.record({ watts: fc.double() }),
          fc.anything({ maxDepth: 2 }),
        ),
      ),
      start: startDate,
      end: endDate,
      monthlyPriceUsd: mostly(fc.integer({ min: 1, max: 1_000_000 }), fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 8 }))),
      ramp: mostly(
        fc.constantFrom([], [{ months: 2, factor: 0.5 }]),
        fc.array(fc.record({ months: fc.integer({ min: -1, max: 40 }), factor: fc.double() }), { maxLength: 3 }),
      ),
      noticeDays: mostly(fc.integer({ min: 0, max: 90 }), fc.integer({ min: -1, max: 400 })),
      status: mostly(fc.constantFrom('active', 'ended', 'terminated'), fc.constant('unknown')),
    },
    { requiredKeys: [] },
  );

/** Demand plans: each field mostly valid (the small site has 384 GPUs; valid starts come before valid ends). */
export const demandPlanBody = (): fc.Arbitrary<unknown> =>
  fc.record(
    {
      name: mostly(fc.constant('Fuzz training run'), fc.oneof(fc.string({ maxLength: 30 }), fc.string({ minLength: 195, maxLength: 210 }))),
      gpus: mostly(
        fc.integer({ min: 1, max: 384 }),
        fc.oneof(fc.integer({ min: -1, max: 1_000 }), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null)),
      ),
      start: startDate,
      end: mostly(fc.oneof(endDate, fc.constant(null)), fc.constantFrom('2026-05-31', '2024-02-28')),
      note: mostly(
        fc.constantFrom(null, 'booked'),
        fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 1_995, maxLength: 2_010 }), fc.integer()),
      ),
    },
    { requiredKeys: [] },
  );

/** Alert-rule lists, including templates with unknown filters and figures. */
export const alertRulesBody = (): fc.Arbitrary<unknown> => {
  const rule = fc.record(
    {
      name: mostly(fc.constantFrom('FuzzRule', 'FuzzRuleTwo'), fc.string({ maxLength: 20 })),
      figure: mostly(fc.constantFrom('sellable_watts', 'oversold', 'telemetry_age_seconds'), fc.constant('nope')),
      op: mostly(fc.constantFrom('>', '<', '=='), fc.constant('=>')),
      threshold: mostly(fc.integer({ min: 0, max: 1000 }), fc.oneof(fc.double(), fc.record({ figure: fc.string({ maxLength: 20 }) }))),
      for: mostly(fc.constantFrom('5m', '1h', '0s'), fc.oneof(fc.string({ maxLength: 6 }), fc.integer())),
      severity: mostly(fc.constantFrom('info', 'warning', 'critical'), fc.constant('fatal')),
      annotations: fc.dictionary(
        fc.string({ maxLength: 12 }),
        fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{{ value | usd }}', '{{ value | nope }}', '{{ ', '{{ figures.x }}')),
        { maxKeys: 3 },
      ),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(fc.array(rule, { maxLength: 4 }), fc.record({ rules: fc.array(rule, { maxLength: 3 }) }));
};

/** Price books: model keys known and unknown, prices in and out of range. */
export const priceBookBody = (): fc.Arbitrary<unknown> =>
  fc.record(
    {
      gpuHourUsd: mostly(
        fc.dictionary(fc.constantFrom('H100-SXM', 'B200', 'A100-80GB'), fc.double({ min: 0.01, max: 1000, noNaN: true }), { maxKeys: 3 }),
        fc.dictionary(
          fc.oneof(fc.constant('h100'), fc.string({ maxLength: 10 })),
          fc.oneof(fc.double({ min: -1, max: 2000 }), fc.string({ maxLength: 4 })),
          { maxKeys: 3 },
        ),
      ),
      mwMonthUsd: mostly(fc.integer({ min: 1, max: 1_000_000_000 }), fc.double({ min: -1, max: 2e9 })),
      basis: mostly(fc.constantFrom('gpu-hour', 'mw-month'), fc.constantFrom('gpu_hour', 'GPU', '')),
      sources: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 }), { maxKeys: 2 }),
    },
    { requiredKeys: [] },
  );

/** What-if questions: one capacity field (valid) or any mix of fields. */
export const whatIfBody = (): fc.Arbitrary<unknown> => {
  const fields = {
    gpus: mostly(fc.integer({ min: 1, max: 500 }), fc.oneof(fc.integer({ min: -1, max: 0 }), fc.double())),
    pods: mostly(fc.integer({ min: 1, max: 10 }), fc.integer({ min: -1, max: 0 })),
    watts: mostly(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: -1, max: 1e9 })),
    start: startDate,
    months: mostly(fc.integer({ min: 1, max: 60 }), fc.oneof(fc.integer({ min: 0, max: 700 }), fc.double())),
    monthlyPriceUsd: mostly(fc.integer({ min: 1, max: 1e9 }), fc.oneof(fc.double({ min: -1, max: 2e10 }), fc.string({ maxLength: 4 }))),
  };
  const oneCapacity = fc
    .constantFrom('gpus', 'pods', 'watts')
    .chain((key) =>
      fc.record(
        { [key]: fields[key], start: fields.start, months: fields.months, monthlyPriceUsd: fields.monthlyPriceUsd },
        { requiredKeys: [key, 'start', 'months'] },
      ),
    );
  return mostly(oneCapacity, fc.record(fields, { requiredKeys: [] }));
};

/** Regexes V8's backtracking engine takes exponential time over (RE2 runs them in linear time). */
export const CATASTROPHIC_REGEXES = ['(a+)+', '(a|aa)+$', '(.*a){25}', '(\\w+\\s?)*$', '((a*)*)*b'] as const;
/** Regexes RE2 refuses (backreferences, lookaround, bad syntax), and one past the length limit. */
export const RE2_REFUSED_REGEXES = [
  '(a)\\1',
  '(?=a)a',
  '(?!a).*',
  '(?<=a)b',
  '(?<!a)b',
  'a)|(b',
  '(?P<n>a)(?P=n)',
  'a'.repeat(1_025),
] as const;

/** `=~` / `!~` matchers, text or object form, over catastrophic and RE2-refused regexes. */
export const regexMatcher = (): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      fc.constantFrom('alertname', 'site', 'team'),
      fc.constantFrom('=~', '!~'),
      fc.constantFrom(...CATASTROPHIC_REGEXES, ...RE2_REFUSED_REGEXES),
      fc.boolean(),
    )
    .map(([name, type, value, asText]) => (asText ? `${name}${type}${JSON.stringify(value)}` : { name, type, value }));

/**
 * Webhook receivers. URLs are IP literals or junk, never names: a name would send the server to
 * DNS for every case (slow, and not what is under test here).
 */
export const webhookBody = (): fc.Arbitrary<unknown> =>
  fc.record(
    {
      name: mostly(fc.constant('fuzz'), fc.string({ maxLength: 20 })),
      url: mostly(
        fc.constantFrom('http://127.0.0.1:9/hook', 'https://[::1]:9/x'),
        fc.oneof(
          fc.constantFrom('ftp://127.0.0.1/', 'http://169.254.169.254/latest', 'http://0.0.0.0/', 'http://', 'hook'),
          fc.string({ maxLength: 20 }),
        ),
      ),
      secret: fc.oneof(fc.constantFrom('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'secret'), fc.string({ maxLength: 20 })),
      matchers: fc.array(
        fc.oneof(
          fc.constantFrom('severity="critical"', 'site=~"s1|s2"', 'hall!="h00"', '=', 'a=~"("'),
          regexMatcher(),
          fc.string({ maxLength: 12 }),
        ),
        { maxLength: 3 },
      ),
      groupBy: fc.array(fc.oneof(fc.constantFrom('alertname', 'site', '...', '0bad'), fc.string({ maxLength: 8 })), { maxLength: 3 }),
      groupWaitS: mostly(
        fc.integer({ min: 0, max: 600 }),
        fc.oneof(fc.integer({ min: -1, max: 100_000 }), fc.constantFrom('30s', '5m', 'x')),
      ),
      groupIntervalS: mostly(fc.integer({ min: 1, max: 600 }), fc.double()),
      repeatIntervalS: mostly(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: -1, max: 0 })),
      sendResolved: mostly(fc.boolean(), fc.constant('yes')),
      rotationHours: mostly(fc.integer({ min: 0, max: 720 }), fc.double()),
    },
    { requiredKeys: [] },
  );
