/**
 * The BGP UPDATE message: RFC 4271 §4.3, RFC 4760, RFC 7911, RFC 7606,
 * RFC 4724 (End-of-RIB). (Skeleton: types are final; decoding lands next.)
 */
import type { Prefix } from '../net/prefix.js';
import { ParseError, type ParseErrorDetails } from '../wire/parse-error.js';
import type { PathAttributes } from './attributes.js';
import type { AfiSafi, SessionCapabilities } from './capabilities.js';

export interface Nlri {
  readonly prefix: Prefix;
  /** 0 when the session has no ADD-PATH for it. */
  readonly pathId: number;
}

export type Rfc7606Action = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';

export interface AttributeProblem {
  readonly typeCode: number;
  readonly offset: number;
  readonly action: Rfc7606Action;
  readonly reason: string;
}

export interface SkippedNlri {
  readonly afi: number;
  readonly safi: number;
  /** NLRI entries if parseable, else 1 per attribute. */
  readonly count: number;
}

export interface BgpUpdate {
  /** IPv4 Withdrawn Routes + MP_UNREACH_NLRI (IPv4/IPv6 unicast); plus, on treat-as-withdraw, every announced NLRI. */
  readonly withdrawn: readonly Nlri[];
  /** IPv4 NLRI + MP_REACH_NLRI (IPv4/IPv6 unicast); empty on treat-as-withdraw. */
  readonly announced: readonly Nlri[];
  /** Undefined when the UPDATE has no path attributes. */
  readonly attributes: PathAttributes | undefined;
  /** RFC 4724 §2 marker. */
  readonly endOfRib: AfiSafi | undefined;
  /** The strongest RFC 7606 action taken. */
  readonly action: 'none' | 'attribute-discard' | 'treat-as-withdraw';
  readonly problems: readonly AttributeProblem[];
  /** MP NLRI of other AFI/SAFIs, counted never misread. */
  readonly skipped: readonly SkippedNlri[];
}

/** Raised when RFC 7606 demands a session reset. */
export class BgpUpdateError extends ParseError {
  readonly action = 'session-reset' as const;
  constructor(details: ParseErrorDetails) {
    super(details);
    this.name = 'BgpUpdateError';
  }
}

export function decodeUpdate(_body: Uint8Array, _caps: SessionCapabilities, _streamOffset?: number): BgpUpdate {
  throw new Error('decodeUpdate: not implemented yet');
}
