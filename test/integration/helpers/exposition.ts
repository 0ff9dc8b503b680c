import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export interface Exposition {
  families: Map<string, ParsedFamily>;
  /** Value of the one sample of `name` whose labels include `labels`; throws if not exactly one. */
  value(name: string, labels?: Record<string, string>): number;
  /** Sum over the samples of `name` whose labels include `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
  /** Series (histograms count each bucket, _sum and _count). */
  seriesCount(): number;
}

/** A sample value as the exposition format writes it: Go's ParseFloat, so `+Inf`, `-Inf` and `NaN` too. */
export function sampleValue(text: string | undefined): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === undefined || text.trim() === '') throw new Error(`no sample value: ${String(text)}`);
  return Number(text);
}

const matches = (have: Record<string, string> | undefined, want: Record<string, string>): boolean =>
  Object.entries(want).every(([k, v]) => have?.[k] === v);

/** Parses a /metrics body with a parser that is not ours, for reading figures back. */
export function parseExposition(text: string): Exposition {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const samples = (name: string, labels: Record<string, string>) => {
    const family = families.get(name);
    if (!family) throw new Error(`no metric family ${name}`);
    return family.metrics.filter((m) => matches(m.labels, labels));
  };
  return {
    families,
    value(name, labels = {}) {
      const found = samples(name, labels);
      if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples, expected 1`);
      return sampleValue(found[0]?.value);
    },
    sum(name, labels = {}) {
      return samples(name, labels).reduce((s, m) => s + sampleValue(m.value), 0);
    },
    seriesCount() {
      let n = 0;
      for (const f of families.values()) {
        for (const m of f.metrics) n += m.buckets ? Object.keys(m.buckets).length + 2 : 1;
      }
      return n;
    },
  };
}
