import { describe, expect, it } from 'vitest';
import {
  compareGoStrings,
  goQuote,
  labelSetBefore,
  labelSetString,
  pickLabels,
  sortedLabels,
} from '../../../server/src/domain/alerts/labels.js';

describe('compareGoStrings', () => {
  it('orders as Go byte-wise comparison: a character above U+FFFF after U+FFFD, unlike JavaScript <', () => {
    const emoji = '\u{1F600}';
    expect(emoji < '\uFFFD').toBe(true); // UTF-16 code units: 0xD83D < 0xFFFD
    expect(compareGoStrings(emoji, '\uFFFD')).toBe(1); // UTF-8: F0 9F … > EF BF BD
    expect(compareGoStrings('a', 'ab')).toBe(-1);
    expect(compareGoStrings('b', 'ab')).toBe(1);
    expect(compareGoStrings('x', 'x')).toBe(0);
  });
});

describe('labelSetString (model.LabelSet.String)', () => {
  it('writes {name="value", ...} with names sorted and ", " between pairs', () => {
    expect(labelSetString({ site: 's1', alertname: 'OversoldRisk' })).toBe('{alertname="OversoldRisk", site="s1"}');
    expect(labelSetString({})).toBe('{}');
  });

  it('quotes values as Go %q: quotes, backslashes and newlines escaped, printable Unicode kept', () => {
    expect(labelSetString({ a: 'say "hi"\\n\n\tcafé' })).toBe('{a="say \\"hi\\"\\\\n\\n\\tcafé"}');
  });
});

describe('goQuote', () => {
  it('escapes control characters as Go: \\a \\b \\f \\v, \\x01, \\x7f, \\u0085', () => {
    expect(goQuote('\u0007\b\f\v\u0001\u007f\u0085')).toBe('"\\a\\b\\f\\v\\x01\\x7f\\u0085"');
  });
});

describe('labelSetBefore (model.LabelSet.Before)', () => {
  it('puts a set with fewer labels first', () => {
    expect(labelSetBefore({ z: '1' }, { a: '1', b: '1' })).toBe(true);
    expect(labelSetBefore({ a: '1', b: '1' }, { z: '1' })).toBe(false);
  });

  it('decides on the first differing pair in sorted name order', () => {
    expect(labelSetBefore({ a: '1', b: '9' }, { a: '2', b: '0' })).toBe(true);
    // b, the first name in sorted order one set lacks, is missing from the first: it comes first.
    expect(labelSetBefore({ a: '1', c: '1' }, { a: '1', b: '1' })).toBe(true);
    expect(labelSetBefore({ a: '1', b: '1' }, { a: '1', c: '1' })).toBe(false);
    expect(labelSetBefore({ a: '1', b: '1' }, { a: '1', b: '1' })).toBe(false);
  });
});

describe('sortedLabels / pickLabels', () => {
  it('rebuilds the object with keys in Go order, so JSON.stringify writes them as Go writes a map', () => {
    expect(JSON.stringify(sortedLabels({ site: 's1', Zeta: 'z', alertname: 'A' }))).toBe('{"Zeta":"z","alertname":"A","site":"s1"}');
  });

  it('keeps only the named labels the set has', () => {
    expect(pickLabels({ alertname: 'A', site: 's1', hall: 'h1' }, ['site', 'alertname', 'customer'])).toEqual({
      alertname: 'A',
      site: 's1',
    });
  });
});
