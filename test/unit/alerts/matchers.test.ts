import { describe, expect, it } from 'vitest';
import {
  compileMatchers,
  MAX_REGEX_LENGTH,
  matcherProblems,
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

describe('regexes are RE2 (issue 16: ReDoS)', () => {
  it('matches a nested-quantifier pattern in linear time, where backtracking took seconds', () => {
    const started = performance.now();
    const matches = compileMatchers([m('team', '=~', '(a+)+'), m('note', '!~', '(.*a){25}')]);
    expect(matches({ team: `${'a'.repeat(28)}!`, note: 'a'.repeat(24) })).toBe(false);
    expect(matches({ team: 'a'.repeat(28), note: 'a'.repeat(24) })).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('refuses what RE2 cannot run in linear time, a regex past the length limit, and text escaping its anchors', () => {
    for (const value of ['(a)\\1', '(?=a)a', '(?<=a)b', '(?!x).*', 'a)|(b']) {
      expect(matcherSchema.safeParse(m('site', '=~', value)).error?.issues[0]?.message, value).toMatch(/bad regex .*RE2/);
    }
    expect(matcherSchema.safeParse(m('site', '!~', 'a'.repeat(MAX_REGEX_LENGTH + 1))).success).toBe(false);
    expect(matcherSchema.safeParse(`site=~"${'a'.repeat(MAX_REGEX_LENGTH + 1)}"`).error?.issues[0]?.message).toMatch(/longer than 1024/);
    expect(matcherSchema.parse(m('site', '=~', 'a'.repeat(MAX_REGEX_LENGTH)))).toEqual(m('site', '=~', 'a'.repeat(MAX_REGEX_LENGTH)));
  });

  it('lets a stored regex that no longer compiles load: it never matches, !~ too, and is named', () => {
    const stored = [m('site', '=~', '(?=s)s1'), m('hall', '!~', '(a)\\1')];
    expect(compileMatchers([stored[0] ?? m('', '=', '')])({ site: 's1' })).toBe(false);
    expect(compileMatchers([stored[1] ?? m('', '=', '')])({ hall: 'h01' })).toBe(false);
    expect(matcherProblems(stored)).toEqual([
      expect.stringMatching(/^site=~"\(\?=s\)s1": .*unsupported Perl syntax/),
      expect.stringMatching(/^hall!~"\(a\)\\\\1": .*invalid escape sequence/),
    ]);
    expect(matcherProblems([m('site', '=~', 's1|s2'), m('site', '=', '(?=')])).toEqual([]);
  });
});
