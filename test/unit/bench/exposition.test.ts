import { describe, expect, it } from 'vitest';
import { countSeriesLines, sumMetric } from '../../bench/lib/exposition.js';
import { parseResultLine, RESULT_PREFIX } from '../../bench/lib/child.js';

describe('countSeriesLines', () => {
  it('counts sample lines, not comments or blank lines, with LF or CRLF', () => {
    const text = '# HELP a x\n# TYPE a gauge\na{b="1"} 1\n\n  a{b="2"} 2\r\n\r\n# EOF\n';
    expect(countSeriesLines(text)).toBe(2);
    expect(countSeriesLines('a 1')).toBe(1);
    expect(countSeriesLines('')).toBe(0);
  });
});

describe('sumMetric', () => {
  it('sums a metric over its label sets and ignores metrics that merely start with its name', () => {
    const text = [
      '# TYPE prometheus_tsdb_head_samples_appended_total counter',
      'prometheus_tsdb_head_samples_appended_total{type="float"} 1000',
      'prometheus_tsdb_head_samples_appended_total{type="histogram"} 5',
      'prometheus_tsdb_head_samples_appended_total_other 99',
    ].join('\n');
    expect(sumMetric(text, 'prometheus_tsdb_head_samples_appended_total')).toBe(1005);
  });
  it('reads an unlabelled sample, and is NaN when the metric is absent', () => {
    expect(sumMetric('x_total 4.5e3\n', 'x_total')).toBe(4500);
    expect(sumMetric('y 1\n', 'x_total')).toBeNaN();
  });
});

describe('parseResultLine', () => {
  it("takes a child's last result line and ignores its other output", () => {
    const stdout = `log line\n${RESULT_PREFIX}{"metrics":{"a":1}}\nmore\n${RESULT_PREFIX}{"metrics":{"a":2}}\n`;
    expect(parseResultLine(stdout)).toEqual({ metrics: { a: 2 } });
    expect(parseResultLine('no result\n')).toBeNull();
  });
});
