/**
 * `unexpected-prefix`: a route on a VIF that the VIF's policy does not
 * allow. What Direct Connect sends and accepts is narrow and documented,
 * so anything outside it is a misconfiguration or worse:
 * - from Amazon on a private or transit VIF: only the VPC CIDRs or the
 *   prefixes the Direct Connect gateway advertises for the transit gateway
 *   (the VIF's `awsPrefixes`; unchecked when none are configured);
 * - from Amazon on a public VIF: only prefixes Amazon originates (the
 *   `aws.asns` list), each tagged NO_EXPORT (RFC 1997), as AWS documents
 *   for public VIF routes;
 * - to Amazon (Adj-RIB-Out, RFC 8671): only the VIF's `expected` prefixes
 *   (with their origins and maxLength; unchecked when none are listed).
 *
 * Direct Connect's own route list (source `aws-api`) is held to the same
 * policy except NO_EXPORT: it lists the communities AWS attaches, and
 * nothing documents whether the well-known ones are among them, so a
 * missing NO_EXPORT there proves nothing (a router's BMP view, which has
 * the attribute as received, still checks it).
 */
import type { Condition, ConditionSink } from '../alerts/alert.js';
import type { Asn } from '../net/asn.js';
import type { RouteChange } from './route-change.js';
import type { RouteContext } from './route-context.js';
import { RouteConditions, originLabel, routeLabels, whereText } from './route-conditions.js';
import { condition, pathNumbers, pathText } from './condition.js';
import type { DetectionSettings } from './settings.js';

/** RFC 1997 NO_EXPORT. */
const NO_EXPORT = 0xffffff01;

export type PolicyBreach = 'outside-aws-ranges' | 'foreign-origin' | 'no-export-missing' | 'not-expected';

export class VifPolicyDetector {
  private readonly conditions: RouteConditions;
  private readonly amazon: ReadonlySet<number>;

  constructor(
    private readonly settings: DetectionSettings,
    sink: ConditionSink,
  ) {
    this.conditions = new RouteConditions(sink);
    this.amazon = new Set(settings.amazonAsns);
  }

  get count(): number {
    return this.conditions.size;
  }

  onRoute(ev: RouteChange, ctx: RouteContext, atMs: number): void {
    const vif = ctx.vif;
    if (vif === undefined || ev.type === 'state-changed' || !this.settings.unexpectedPrefix.enabled || !this.settings.ribs.includes(ctx.rib)) return;
    const checked =
      ctx.direction === 'received' ? vif.type === 'public' || vif.awsPrefixes.length > 0 : ctx.direction === 'advertised' ? vif.expected.length > 0 : false;
    if (!checked) return;
    if (ev.type === 'withdraw') return this.conditions.has(ev.key) ? this.conditions.set(ev.key, undefined, atMs) : undefined;
    const breach = this.breachOf(ev, ctx);
    if (breach === undefined && !this.conditions.has(ev.key)) return;
    this.conditions.set(ev.key, breach === undefined ? undefined : this.conditionFor(ev, ctx, breach), atMs);
  }

  private breachOf(ev: RouteChange, ctx: RouteContext): PolicyBreach | undefined {
    const vif = ctx.vif!;
    if (ctx.direction === 'advertised') {
      const origin = ev.newOrigin;
      const ok = vif.expected.some((e) => ev.coveredBy(e.prefix) && ev.length <= e.maxLength && (e.origin === undefined || e.origin === origin));
      return ok ? undefined : 'not-expected';
    }
    if (vif.type !== 'public') return vif.awsPrefixes.some((p) => ev.coveredBy(p)) ? undefined : 'outside-aws-ranges';
    const origin = ev.newOrigin;
    if (origin === null || origin === undefined || !this.amazon.has(origin)) return 'foreign-origin';
    if (ctx.source === 'aws-api') return undefined;
    return ev.newAttributes?.communities.includes(NO_EXPORT) ? undefined : 'no-export-missing';
  }

  private conditionFor(ev: RouteChange, ctx: RouteContext, breach: PolicyBreach): Condition {
    const vif = ctx.vif!;
    const prefix = ev.prefix;
    const origin = ev.newOrigin ?? null;
    const attrs = ev.newAttributes;
    const why: Record<PolicyBreach, string> = {
      'outside-aws-ranges': `it is outside the ranges Amazon may announce on this ${vif.type} VIF (${vif.awsPrefixes.join(', ')})`,
      'foreign-origin': `a public VIF carries only prefixes Amazon originates (${[...this.amazon].map((a) => originLabel(a as Asn)).join(', ')}), and this one is originated by ${originLabel(origin)}`,
      'no-export-missing': 'Amazon tags every public VIF route NO_EXPORT, and this one is not tagged',
      'not-expected': `the customer side should advertise only ${vif.expected.map((e) => `${e.prefix}${e.maxLength > e.prefix.length ? `-${e.maxLength}` : ''}${e.origin === undefined ? '' : ` from ${originLabel(e.origin)}`}`).join(', ')} here`,
    };
    return condition('unexpected-prefix', this.settings.unexpectedPrefix.severity, routeLabels(ctx, prefix, ev.pathId, origin, { reason: breach }), ctx, {
      summary: `Unexpected prefix ${prefix} (${ctx.direction === 'advertised' ? 'advertised to' : 'received from'} Amazon) on ${vif.id}: ${breach}`,
      description: `${prefix} from ${originLabel(origin)} is not allowed on ${vif.id}: ${why[breach]}. Seen ${whereText(ctx)}; AS path ${pathText(attrs)}.`,
      asPath: pathNumbers(attrs),
      evidence: { details: { policy: breach, vifType: vif.type } },
    });
  }
}
