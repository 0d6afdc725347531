/**
 * Label matchers, Alertmanager's model (prometheus/alertmanager
 * pkg/labels): `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
 * Routes and silences select alerts with them.
 *
 * Semantics kept from Alertmanager, because operators bring their configs:
 * - a regex is anchored at both ends (`severity=~"crit"` does not match
 *   `critical`);
 * - an absent label matches as the empty string (`vif=""` selects alerts
 *   without a VIF, `vif!=""` those with one);
 * - a list of matchers matches when every one does.
 *
 * Text grammar (one matcher, or a list in braces):
 *   matcher := name op value      name := [A-Za-z_][A-Za-z0-9_]*
 *   op      := "=" | "!=" | "=~" | "!~"
 *   value   := '"' (char | '\"' | '\\' | '\n')* '"'  |  unquoted text up to "," or "}"
 *   list    := "{" [matcher ("," matcher)* [","]] "}"  |  matcher ("," matcher)*
 * Errors name the input, the column and what was expected.
 *
 * Matchers are plain data (they go into snapshots and API answers);
 * compileMatchers() turns a list into a test function once.
 */
import type { AlertLabels } from './alert.js';

export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/**
 * What callers may write: the text form, our object form (op defaults to
 * `=`), or Alertmanager API v2's `{name, value, isRegex, isEqual}`.
 */
export type MatcherInput =
  | string
  | { readonly name: string; readonly op?: MatchOp; readonly value: string }
  | { readonly name: string; readonly value: string; readonly isRegex: boolean; readonly isEqual?: boolean };

export class MatcherError extends Error {
  override readonly name = 'MatcherError';
  constructor(
    /** The text or object that failed, as given. */
    readonly input: string,
    readonly reason: string,
    /** 1-based column in `input`, when it is text. */
    readonly column?: number,
  ) {
    super(`invalid matcher ${JSON.stringify(input)}: ${reason}${column === undefined ? '' : ` at column ${column}`}`);
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One matcher from text, e.g. `severity=~"critical|warning"`. */
export function parseMatcher(text: string): Matcher {
  const list = parseMatchers(text);
  if (list.length !== 1) throw new MatcherError(text, `expected one matcher, found ${list.length}`);
  return list[0];
}

/** A list from text: `{type="rpki-invalid", vif=~"dxvif-.*"}` or without the braces. */
export function parseMatchers(text: string): Matcher[] {
  const p = new TextParser(text);
  return p.list();
}

/** Any accepted input to a checked Matcher (the regex is compiled once here to report errors early). */
export function toMatcher(input: MatcherInput): Matcher {
  if (typeof input === 'string') return parseMatcher(input);
  const shown = safeJson(input);
  if (typeof input !== 'object' || input === null) throw new MatcherError(shown, 'expected a string or an object');
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw new MatcherError(shown, 'name must match [A-Za-z_][A-Za-z0-9_]*');
  }
  if (typeof input.value !== 'string') throw new MatcherError(shown, 'value must be a string');
  let op: MatchOp;
  if ('isRegex' in input) {
    if (typeof input.isRegex !== 'boolean') throw new MatcherError(shown, 'isRegex must be a boolean');
    const equal = input.isEqual ?? true;
    op = input.isRegex ? (equal ? '=~' : '!~') : equal ? '=' : '!=';
  } else {
    op = input.op ?? '=';
    if (!(MATCH_OPS as readonly string[]).includes(op)) throw new MatcherError(shown, `op must be one of ${MATCH_OPS.join(' ')}`);
  }
  const m: Matcher = Object.freeze({ name: input.name, op, value: input.value });
  if (op === '=~' || op === '!~') compileRegex(m.value, shown);
  return m;
}

/** A list of inputs (or one text list) to checked Matchers. */
export function toMatchers(input: string | readonly MatcherInput[]): Matcher[] {
  return typeof input === 'string' ? parseMatchers(input) : input.map(toMatcher);
}

/** A test that is true when every matcher matches (an empty list matches everything). */
export function compileMatchers(matchers: readonly Matcher[]): (labels: AlertLabels) => boolean {
  const tests = matchers.map(compileOne);
  return (labels) => {
    for (const test of tests) if (!test(labels)) return false;
    return true;
  };
}

/** Text form, as Alertmanager prints it: `name="value"`, escaped so parseMatcher reads it back. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

function compileOne(m: Matcher): (labels: AlertLabels) => boolean {
  const { name, op, value } = m;
  switch (op) {
    case '=':
      return (labels) => (labels[name] ?? '') === value;
    case '!=':
      return (labels) => (labels[name] ?? '') !== value;
    case '=~': {
      const re = compileRegex(value, formatMatcher(m));
      return (labels) => re.test(labels[name] ?? '');
    }
    case '!~': {
      const re = compileRegex(value, formatMatcher(m));
      return (labels) => !re.test(labels[name] ?? '');
    }
  }
}

function compileRegex(source: string, shown: string): RegExp {
  try {
    // Anchored like Alertmanager (Go's regexp, `^(?:…)$`); `u` so a bad escape is an error, not a literal.
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (err) {
    throw new MatcherError(shown, `bad regular expression: ${(err as Error).message}`);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

class TextParser {
  private i = 0;
  constructor(private readonly text: string) {}

  list(): Matcher[] {
    this.space();
    const braced = this.peek() === '{';
    if (braced) this.i++;
    const out: Matcher[] = [];
    for (;;) {
      this.space();
      if (braced && this.peek() === '}') break;
      if (!braced && this.done()) break;
      out.push(this.matcher(braced));
      this.space();
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      break;
    }
    this.space();
    if (braced) {
      if (this.peek() !== '}') this.fail(this.done() ? 'missing "}"' : 'expected "," or "}"');
      this.i++;
      this.space();
    }
    if (!this.done()) this.fail('expected "," or the end');
    if (out.length === 0 && !braced) this.fail('empty matcher');
    return out;
  }

  private matcher(braced: boolean): Matcher {
    const start = this.i;
    while (!this.done() && /[A-Za-z0-9_]/.test(this.text[this.i])) this.i++;
    const name = this.text.slice(start, this.i);
    if (name === '') this.fail('expected a label name', start);
    if (!NAME.test(name)) this.fail(`label name ${JSON.stringify(name)} must not start with a digit`, start);
    this.space();
    const opAt = this.i;
    const two = this.text.slice(this.i, this.i + 2);
    let op: MatchOp;
    if (two === '!=' || two === '=~' || two === '!~') {
      op = two;
      this.i += 2;
    } else if (this.peek() === '=') {
      op = '=';
      this.i++;
    } else {
      return this.fail('expected one of = != =~ !~', opAt);
    }
    this.space();
    const valueAt = this.i;
    const value = this.peek() === '"' ? this.quoted() : this.unquoted(braced);
    const m: Matcher = Object.freeze({ name, op, value });
    if (op === '=~' || op === '!~') {
      try {
        compileRegex(value, this.text);
      } catch (err) {
        this.fail((err as MatcherError).reason, valueAt);
      }
    }
    return m;
  }

  private quoted(): string {
    const open = this.i++;
    let out = '';
    while (!this.done()) {
      const c = this.text[this.i++];
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.i++];
        if (e === '"' || e === '\\') out += e;
        else if (e === 'n') out += '\n';
        else this.fail(e === undefined ? 'unterminated escape' : `unknown escape \\${e}`, this.i - 1);
      } else {
        out += c;
      }
    }
    return this.fail('unterminated quoted value', open);
  }

  private unquoted(braced: boolean): string {
    const start = this.i;
    while (!this.done() && this.peek() !== ',' && !(braced && this.peek() === '}')) {
      if (this.peek() === '"') this.fail('a quote inside an unquoted value');
      this.i++;
    }
    return this.text.slice(start, this.i).trim();
  }

  private space(): void {
    while (!this.done() && /\s/.test(this.text[this.i])) this.i++;
  }

  private peek(): string | undefined {
    return this.text[this.i];
  }

  private done(): boolean {
    return this.i >= this.text.length;
  }

  private fail(reason: string, at = this.i): never {
    throw new MatcherError(this.text, reason, at + 1);
  }
}
