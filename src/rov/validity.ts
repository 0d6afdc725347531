/**
 * Route origin validation outcomes (RFC 6811 §2).
 *
 * The hot path returns a small integer ({@link RovState}); the explained
 * form ({@link RouteValidity}) carries the reason and the VRPs that decided
 * it, because an operator paged for an invalid route must see the evidence.
 */
import type { Vrp } from '../rpki/vrp.js';

/** Integer codes so the validator allocates nothing per route. */
export const RovState = {
  NotFound: 0,
  Valid: 1,
  Invalid: 2,
} as const;
export type RovState = (typeof RovState)[keyof typeof RovState];

export type RovStateName = 'not-found' | 'valid' | 'invalid';

const NAMES: readonly RovStateName[] = ['not-found', 'valid', 'invalid'];

export function rovStateName(state: RovState): RovStateName {
  return NAMES[state]!;
}

/**
 * Why a route is invalid:
 * - `as`: covering VRPs exist, none for the route's origin (or the origin
 *   is NONE, or only AS0 VRPs cover it).
 * - `length`: a VRP for the route's origin covers it, but the route is more
 *   specific than that VRP's maxLength (the origin is authorised; the ROA or
 *   the announcement's length is the problem).
 */
export type InvalidReason = 'as' | 'length';

export interface RouteValidity {
  readonly state: RovStateName;
  /** Present when invalid. */
  readonly reason: InvalidReason | null;
  /** Covering VRPs that make the route valid. */
  readonly matched: readonly Vrp[];
  /** Covering VRPs for another AS (AS0 VRPs included). */
  readonly unmatchedAs: readonly Vrp[];
  /** Covering VRPs for the route's origin whose maxLength is too short. */
  readonly unmatchedLength: readonly Vrp[];
}

/** A one-line human reading of a result, for logs and text output. */
export function describeValidity(v: RouteValidity): string {
  switch (v.state) {
    case 'valid':
      return `valid: matched ${v.matched.length} VRP(s)`;
    case 'not-found':
      return 'not-found: no VRP covers the prefix';
    case 'invalid':
      return v.reason === 'length'
        ? `invalid (length): the origin is authorised only up to /${Math.max(...v.unmatchedLength.map((x) => x.maxLength))}`
        : `invalid (as): ${v.unmatchedAs.length} covering VRP(s), none for this origin`;
  }
}
