import t from 'tap';
import {
  MatcherError,
  compileMatchers,
  formatMatcher,
  parseMatcher,
  parseMatchers,
  toMatcher,
  toMatchers,
} from '../../src/alerts/matchers.js';

t.test('the four operators, from text', async (t) => {
  t.same(parseMatcher('severity="critical"'), { name: 'severity', op: '=', value: 'critical' });
  t.same(parseMatcher('vif != "dxvif-abc"'), { name: 'vif', op: '!=', value: 'dxvif-abc' });
  t.same(parseMatcher('severity=~"critical|warning"'), { name: 'severity', op: '=~', value: 'critical|warning' });
  t.same(parseMatcher('prefix!~"10\\\\..*"'), { name: 'prefix', op: '!~', value: '10\\..*' });
  t.same(parseMatcher('origin=64511'), { name: 'origin', op: '=', value: '64511' }, 'unquoted value');
  t.same(parseMatcher('type = rpki-invalid '), { name: 'type', op: '=', value: 'rpki-invalid' });
  t.same(parseMatcher('x="a \\"b\\" \\\\ \\n"'), { name: 'x', op: '=', value: 'a "b" \\ \n' }, 'escapes');
});

t.test('lists, with and without braces', async (t) => {
  t.same(parseMatchers('{type="rpki-invalid", vif=~"dxvif-.*",}'), [
    { name: 'type', op: '=', value: 'rpki-invalid' },
    { name: 'vif', op: '=~', value: 'dxvif-.*' },
  ]);
  t.same(parseMatchers('a=1,b!=2'), [
    { name: 'a', op: '=', value: '1' },
    { name: 'b', op: '!=', value: '2' },
  ]);
  t.same(parseMatchers('{ }'), [], 'an empty list');
  t.same(parseMatchers('{a=x}'), [{ name: 'a', op: '=', value: 'x' }], 'unquoted value ends at the brace');
});

t.test('matching: anchored regexes, absent labels as empty', async (t) => {
  const m = (text: string) => compileMatchers(parseMatchers(text));
  const labels = { severity: 'critical', vif: 'dxvif-abc', prefix: '10.1.0.0/16' };
  t.ok(m('severity="critical"')(labels));
  t.notOk(m('severity="warning"')(labels));
  t.ok(m('severity!="warning"')(labels));
  t.ok(m('severity=~"critical|warning"')(labels));
  t.notOk(m('severity=~"crit"')(labels), 'anchored: crit does not match critical');
  t.ok(m('severity=~"crit.*"')(labels));
  t.notOk(m('severity!~"crit.*"')(labels));
  t.ok(m('prefix!~"10\\\\.0\\\\..*"')(labels));
  t.ok(m('origin=""')(labels), 'an absent label matches the empty string');
  t.notOk(m('vif=""')(labels));
  t.ok(m('vif!=""')(labels));
  t.ok(m('origin!~".+"')(labels));
  t.ok(m('{}')(labels), 'no matchers match everything');
  t.notOk(m('severity="critical", vif="other"')(labels), 'all must match');
});

t.test('objects: ours and Alertmanager API v2', async (t) => {
  t.same(toMatcher({ name: 'vif', value: 'x' }), { name: 'vif', op: '=', value: 'x' });
  t.same(toMatcher({ name: 'vif', op: '!~', value: 'x.*' }), { name: 'vif', op: '!~', value: 'x.*' });
  t.same(toMatcher({ name: 'a', value: 'b', isRegex: true }), { name: 'a', op: '=~', value: 'b' });
  t.same(toMatcher({ name: 'a', value: 'b', isRegex: true, isEqual: false }), { name: 'a', op: '!~', value: 'b' });
  t.same(toMatcher({ name: 'a', value: 'b', isRegex: false, isEqual: false }), { name: 'a', op: '!=', value: 'b' });
  t.same(toMatcher({ name: 'a', value: 'b', isRegex: false }), { name: 'a', op: '=', value: 'b' });
  t.same(toMatchers(['a=1', { name: 'b', value: '2' }]), [
    { name: 'a', op: '=', value: '1' },
    { name: 'b', op: '=', value: '2' },
  ]);
  t.same(toMatchers('{a="1"}'), [{ name: 'a', op: '=', value: '1' }]);
  const m = toMatcher({ name: 'q', value: 'say "hi"\\' });
  t.same(parseMatcher(formatMatcher(m)), m, 'formatMatcher reads back');
});

t.test('errors say what, where and why', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty matcher/],
    ['severity', /expected one of = != =~ !~ at column 9/],
    ['=x', /expected a label name at column 1/],
    ['1abc=x', /must not start with a digit at column 1/],
    ['a=~"(("', /bad regular expression.*at column 4/],
    ['a="open', /unterminated quoted value at column 3/],
    ['a="x\\q"', /unknown escape \\q at column 6/],
    ['a="x\\', /unterminated escape/],
    ['a=b"c"', /a quote inside an unquoted value at column 4/],
    ['{a="1"', /missing "}"/],
    ['{a="1" b="2"}', /expected "," or "}" at column 8/],
    ['a="1" b', /expected "," or the end at column 7/],
    ['{a="1"} x', /expected "," or the end at column 9/],
    ['a="1",b="2"', /expected one matcher, found 2/],
  ];
  for (const [text, re] of cases) {
    t.throws(() => parseMatcher(text), re, JSON.stringify(text));
  }
  const err = (() => {
    try {
      parseMatcher('severity');
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof MatcherError);
  t.equal((err as MatcherError).input, 'severity');
  t.equal((err as MatcherError).column, 9);
  t.match((err as MatcherError).message, /^invalid matcher "severity": expected one of/);

  t.throws(() => toMatcher({ name: '1x', value: 'a' }), /name must match/);
  t.throws(() => toMatcher({ name: 'x', value: 1 as unknown as string }), /value must be a string/);
  t.throws(() => toMatcher({ name: 'x', op: '==' as '=', value: 'a' }), /op must be one of/);
  t.throws(() => toMatcher({ name: 'x', value: 'a', isRegex: 'yes' as unknown as boolean }), /isRegex must be a boolean/);
  t.throws(() => toMatcher({ name: 'x', value: '(', isRegex: true }), /bad regular expression/);
  t.throws(() => toMatcher(null as unknown as string), /expected a string or an object/);
  const circular: { name: string; value: string; self?: unknown } = { name: '1', value: 'x' };
  circular.self = circular;
  t.throws(() => toMatcher(circular), MatcherError, 'an unprintable object still gives a MatcherError');
});
