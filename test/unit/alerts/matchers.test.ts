import { describe, expect, it } from 'vitest';
import {
  compileMatchers,
  matchersString,
  matcherSchema,
  matcherString,
  parseMatcher,
  type Matcher,
} from '../../../server/src/domain/alerts/matchers.js';

const m = (name: string, type: Matcher['type'], value: string): Matcher => ({ name, type, value });

describe('parseMatcher', () => {
  it.each([
    ['severity="critical"', m('severity', '=', 'critical')],
    ['severity=critical', m('severity', '=', 'critical')],
    [' site != "lab" ', m('site', '!=', 'lab')],
    ['alertname=~"Oversold.*"', m('alertname', '=~', 'Oversold.*')],
    ['hall!~"h0[12]"', m('hall', '!~', 'h0[12]')],
    ['summary="say \\"hi\\""', m('summary', '=', 'say "hi"')],
    ['team=""', m('team', '=', '')],
  ])('reads %s', (text, matcher) => {
    expect(parseMatcher(text)).toEqual(matcher);
  });

  it.each(['severity', '=critical', '1a="x"', 'a=>"x"', 'a=="x"', 'a="unterminated', 'a=x"y'])('refuses %s', (text) => {
    expect(parseMatcher(text)).toBeNull();
  });
});

describe('compileMatchers', () => {
  const labels = { alertname: 'OversoldRisk', severity: 'critical', site: 's1' };

  it('matches when every matcher matches; an empty list matches everything', () => {
    expect(compileMatchers([])(labels)).toBe(true);
    expect(compileMatchers([m('severity', '=', 'critical'), m('site', '!=', 'lab')])(labels)).toBe(true);
    expect(compileMatchers([m('severity', '=', 'critical'), m('site', '=', 'lab')])(labels)).toBe(false);
  });

  it('anchors regexes as Alertmanager does: "Oversold" does not match OversoldRisk, "Oversold.*" does', () => {
    expect(compileMatchers([m('alertname', '=~', 'Oversold')])(labels)).toBe(false);
    expect(compileMatchers([m('alertname', '=~', 'Oversold.*')])(labels)).toBe(true);
    expect(compileMatchers([m('severity', '=~', 'warning|critical')])(labels)).toBe(true);
    expect(compileMatchers([m('severity', '!~', 'warning|critical')])(labels)).toBe(false);
  });

  it('reads a missing label as "": hall="" and hall!~".+" match an alert without a hall', () => {
    expect(compileMatchers([m('hall', '=', '')])(labels)).toBe(true);
    expect(compileMatchers([m('hall', '!~', '.+')])(labels)).toBe(true);
    expect(compileMatchers([m('hall', '!=', 'h01')])(labels)).toBe(true);
  });
});

describe('matchersString (Matchers.String of a route)', () => {
  it('sorts by name, then value, then type, and quotes values', () => {
    expect(matchersString([m('site', '=', 's1'), m('severity', '=~', 'warning|critical'), m('alertname', '!=', 'X')])).toBe(
      '{alertname!="X",severity=~"warning|critical",site="s1"}',
    );
    expect(matchersString([])).toBe('{}');
  });

  it('escapes backslash, newline and double quote as openMetricsEscape', () => {
    expect(matcherString(m('a', '=', 'x\\y\n"z"'))).toBe('a="x\\\\y\\n\\"z\\""');
  });
});

describe('matcherSchema', () => {
  it('takes the text form or an object and gives a Matcher', () => {
    expect(matcherSchema.parse('site=~"s1|s2"')).toEqual(m('site', '=~', 's1|s2'));
    expect(matcherSchema.parse({ name: 'site', type: '=', value: 's1' })).toEqual(m('site', '=', 's1'));
  });

  it('refuses text that is not a matcher, and a regex that does not compile', () => {
    expect(matcherSchema.safeParse('severity').error?.issues[0]?.message).toMatch(/not a matcher/);
    expect(matcherSchema.safeParse('site=~"(unclosed"').error?.issues[0]?.message).toMatch(/bad regex/);
  });
});
