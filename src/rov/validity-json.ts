/**
 * The JSON shape of a validity result, the same as Routinator's validity
 * API (`/api/v1/validity/AS…/prefix`), so scripts written for Routinator
 * read rovd's output unchanged.
 */
import { type Asn, formatAsn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { Vrp } from '../rpki/vrp.js';
import { type RouteValidity, describeValidity } from './validity.js';

export interface VrpJson {
  readonly asn: string;
  readonly prefix: string;
  readonly max_length: number;
}

export interface ValidatedRouteJson {
  readonly validated_route: {
    readonly route: { readonly origin_asn: string | null; readonly prefix: string };
    readonly validity: {
      readonly state: RouteValidity['state'];
      readonly reason: RouteValidity['reason'];
      readonly description: string;
      readonly VRPs: {
        readonly matched: readonly VrpJson[];
        readonly unmatched_as: readonly VrpJson[];
        readonly unmatched_length: readonly VrpJson[];
      };
    };
  };
}

function vrpJson(v: Vrp): VrpJson {
  return { asn: formatAsn(v.asn), prefix: v.prefix.toString(), max_length: v.maxLength };
}

export function validatedRouteJson(prefix: Prefix, origin: Asn | null, validity: RouteValidity): ValidatedRouteJson {
  return {
    validated_route: {
      route: { origin_asn: origin === null ? null : formatAsn(origin), prefix: prefix.toString() },
      validity: {
        state: validity.state,
        reason: validity.reason,
        description: describeValidity(validity),
        VRPs: {
          matched: validity.matched.map(vrpJson),
          unmatched_as: validity.unmatchedAs.map(vrpJson),
          unmatched_length: validity.unmatchedLength.map(vrpJson),
        },
      },
    },
  };
}
