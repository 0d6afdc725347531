/**
 * The conditions one detector holds per route, so that the route's next
 * event (a withdraw, a new origin, a state change) can clear what was
 * raised for it. Keyed by the route's key (table, prefix, path id); only
 * routes with a condition have an entry, so the map stays as small as the
 * number of alerts, not the table.
 */
import type { AlertLabels, Condition, ConditionSink } from '../alerts/alert.js';
import { formatAsn } from '../net/asn.js';
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { RouteContext } from './route-context.js';

export class RouteConditions {
  private readonly byRoute = new Map<string, string>();

  constructor(private readonly sink: ConditionSink) {}

  /** Routes with a condition raised. */
  get size(): number {
    return this.byRoute.size;
  }

  has(routeKey: string): boolean {
    return this.byRoute.has(routeKey);
  }

  /** Makes `condition` (or none) the route's condition: clears a different one held, raises the new. */
  set(routeKey: string, condition: Condition | undefined, at: number): void {
    const held = this.byRoute.get(routeKey);
    if (held !== undefined && held !== condition?.fingerprint) this.sink.clear(held, at);
    if (condition !== undefined) {
      this.byRoute.set(routeKey, condition.fingerprint);
      this.sink.raise(condition, at);
    } else if (held !== undefined) {
      this.byRoute.delete(routeKey);
    }
  }

  /** Takes over what `other` holds (without raising again: the sink already has it). */
  adopt(other: RouteConditions): void {
    for (const [route, fp] of other.byRoute) this.byRoute.set(route, fp);
  }

  /** Clears everything raised (the detector is being turned off or its inputs are gone). */
  clearAll(at: number): void {
    for (const fp of this.byRoute.values()) this.sink.clear(fp, at);
    this.byRoute.clear();
  }
}

/** `AS64500`, or `none` for a route without a usable origin (RFC 6811 §2 NONE). */
export function originLabel(origin: Asn | null | undefined): string {
  return origin === null || origin === undefined ? 'none' : formatAsn(origin);
}

/** The labels of a condition about one route: its context, prefix, path id, origin and family. */
export function routeLabels(ctx: RouteContext, prefix: Prefix, pathId: number, origin: Asn | null | undefined, extra: AlertLabels = {}): AlertLabels {
  return { ...ctx.labels, prefix: prefix.toString(), pathId: String(pathId), origin: originLabel(origin), afi: prefix.afi === 4 ? 'ipv4' : 'ipv6', ...extra };
}

/** "on dxvif-abc (received from 169.254.0.1 on router 192.0.2.1)". */
export function whereText(ctx: RouteContext): string {
  const how = ctx.direction === 'received' ? `received from ${ctx.peer}` : ctx.direction === 'advertised' ? `advertised to ${ctx.peer}` : `selected`;
  return `on ${ctx.vifLabel} (${how}, router ${ctx.router}, ${ctx.rib})`;
}
