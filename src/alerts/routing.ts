/**
 * Routing: which sinks a notification goes to, chosen by label matchers
 * the way Alertmanager's route tree chooses receivers, flattened to one
 * level (rovd's sinks are few; nesting bought nothing here).
 *
 * Rules are tried in order against the group's labels plus `type` and the
 * notification's `severity`. A matching rule adds its sinks; the walk stops
 * at the first match unless that rule says `continue: true` (Alertmanager's
 * `continue`). When no rule matched, the default sinks are used. The
 * result is the union, in first-seen order, without duplicates.
 *
 * Per-route grouping and timers (Alertmanager's group_by / group_wait on a
 * route) are not offered: routing here runs on a group's labels, after
 * grouping, so a route cannot choose the grouping that produced it.
 */
import type { AlertLabels } from './alert.js';
import { type Matcher, type MatcherInput, MatcherError, compileMatchers, toMatchers } from './matchers.js';

export interface RouteRuleInput {
  /** For logs and errors. */
  readonly name?: string;
  /** Text (`{severity="critical", vif=~"dxvif-.*"}`) or a list of matchers; none or empty matches everything. */
  readonly match?: string | readonly MatcherInput[];
  readonly sinks: readonly string[];
  /** Keep trying the rules after this one matched. */
  readonly continue?: boolean;
}

export interface RouteRule {
  readonly name: string;
  readonly matchers: readonly Matcher[];
  readonly sinks: readonly string[];
  readonly continue: boolean;
}

export interface RoutingOptions {
  readonly routes?: readonly RouteRuleInput[];
  /** Used when no rule matched. */
  readonly defaultSinks?: readonly string[];
}

export class RoutingError extends Error {
  override readonly name = 'RoutingError';
}

export class Router {
  readonly rules: readonly RouteRule[];
  readonly defaultSinks: readonly string[];
  private readonly tests: ReadonlyArray<(labels: AlertLabels) => boolean>;

  constructor(options: RoutingOptions = {}) {
    const rules: RouteRule[] = [];
    (options.routes ?? []).forEach((input, i) => {
      const name = input.name ?? `routes[${i}]`;
      let matchers: Matcher[];
      try {
        matchers = input.match === undefined ? [] : toMatchers(input.match);
      } catch (err) {
        if (err instanceof MatcherError) throw new RoutingError(`route ${name}: ${err.message}`, { cause: err });
        throw err;
      }
      if (!Array.isArray(input.sinks) || input.sinks.some((s) => typeof s !== 'string' || s === '')) {
        throw new RoutingError(`route ${name}: sinks must be a list of sink names`);
      }
      rules.push(Object.freeze({ name, matchers, sinks: Object.freeze([...input.sinks]), continue: input.continue === true }));
    });
    this.rules = Object.freeze(rules);
    this.tests = rules.map((r) => compileMatchers(r.matchers));
    this.defaultSinks = Object.freeze([...(options.defaultSinks ?? [])]);
  }

  /** The sinks for a notification with these labels (group labels, type, severity). */
  sinksFor(labels: AlertLabels): string[] {
    const out = new Set<string>();
    let matched = false;
    for (let i = 0; i < this.rules.length; i++) {
      if (!this.tests[i](labels)) continue;
      matched = true;
      for (const s of this.rules[i].sinks) out.add(s);
      if (!this.rules[i].continue) break;
    }
    if (!matched) for (const s of this.defaultSinks) out.add(s);
    return [...out];
  }
}
