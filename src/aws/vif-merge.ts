/**
 * From what Direct Connect says about a VIF to the Vif rovd watches, and
 * the merge with the configured VIFs.
 *
 * The VIF's type picks its default policy (src/detect/vif-policy-detector.ts):
 * on a public VIF Amazon announces its own prefixes from its own ASNs with
 * NO_EXPORT, and the customer's prefixes are the ones it asked AWS to
 * accept (`routeFilterPrefixes`); on a private or transit VIF behind a
 * Direct Connect gateway, AWS announces what the gateway's associations
 * allow (`allowedPrefixesToDirectConnectGateway`: the VPC CIDRs or the
 * transit gateway's ranges). A private VIF on a virtual private gateway
 * announces the VPC's CIDRs, which only EC2's API knows: its awsPrefixes
 * stay empty (not checked) unless configured.
 *
 * Config wins where both say something: a key the operator wrote for a VIF
 * id is kept as written, every other key comes from AWS.
 */
import { type Asn } from '../net/asn.js';
import type { PrefixLimits } from '../detect/settings.js';
import type { Vif, VifPeer } from '../vif/vif.js';
import type { DiscoveredGateway, DiscoveredVif } from './direct-connect-types.js';

/** Amazon's ASN on every public VIF session (Direct Connect User Guide, "Public virtual interface routing policies"). */
export const PUBLIC_VIF_AMAZON_ASN = 7224 as Asn;
/** The default Amazon side ASN of a virtual private gateway or Direct Connect gateway. */
export const DEFAULT_AMAZON_SIDE_ASN = 64512 as Asn;

/** States in which a VIF carries (or is about to carry) BGP; the others are gone or never came up. */
const LIVE_VIF_STATES: ReadonlySet<string> = new Set(['available', 'down', 'pending', 'verifying', 'confirming', 'unknown']);
const LIVE_PEER_STATES: ReadonlySet<string> = new Set(['available', 'pending', 'verifying']);

export function isLiveVif(v: DiscoveredVif): boolean {
  return LIVE_VIF_STATES.has(v.state);
}

/** The ASN Amazon speaks BGP from on this VIF. */
export function amazonAsnOf(v: DiscoveredVif, gateways: ReadonlyMap<string, DiscoveredGateway>): Asn {
  if (v.type === 'public') return PUBLIC_VIF_AMAZON_ASN;
  const gateway = v.directConnectGatewayId === undefined ? undefined : gateways.get(v.directConnectGatewayId);
  return v.amazonSideAsn ?? gateway?.amazonSideAsn ?? DEFAULT_AMAZON_SIDE_ASN;
}

/** The Vif a discovered VIF stands for (no router: its routes come from the API until a config names one). */
export function vifFromDiscovered(v: DiscoveredVif, gateways: ReadonlyMap<string, DiscoveredGateway>, limits: PrefixLimits): Vif {
  const asn = amazonAsnOf(v, gateways);
  const peers: VifPeer[] = [];
  for (const p of v.peers) {
    if (p.amazonAddress === undefined || !LIVE_PEER_STATES.has(p.state) || peers.some((q) => q.address === p.amazonAddress)) continue;
    peers.push(Object.freeze({ address: p.amazonAddress, asn }));
  }
  const families = [...new Set(v.peers.map((p) => p.addressFamily))].sort();
  const gateway = v.directConnectGatewayId === undefined ? undefined : gateways.get(v.directConnectGatewayId);
  return Object.freeze({
    id: v.id,
    name: v.name,
    type: v.type,
    region: v.region,
    connection: v.connectionId,
    router: undefined,
    peers: Object.freeze(peers),
    addressFamilies: Object.freeze(families.length > 0 ? families : ['ipv4' as const]),
    // What the customer asked AWS to accept on a public VIF, from its own ASN.
    expected: Object.freeze(v.type === 'public' ? v.routeFilterPrefixes.map((prefix) => Object.freeze({ prefix, origin: v.customerAsn, maxLength: prefix.length })) : []),
    awsPrefixes: Object.freeze(v.type !== 'public' && gateway !== undefined ? [...gateway.allowedPrefixes] : []),
    prefixLimit: v.type === 'public' ? limits.publicAdvertised : v.type === 'transit' ? limits.transitAdvertised : limits.privateAdvertised,
    receivedLimit: v.type === 'transit' ? limits.transitReceived : undefined,
  });
}

/** The Vif keys a config entry may set (its YAML keys are the field names). */
const VIF_KEYS = ['name', 'type', 'region', 'connection', 'router', 'peers', 'addressFamilies', 'expected', 'awsPrefixes', 'prefixLimit', 'receivedLimit'] as const satisfies readonly (keyof Vif)[];

export interface MergeResult {
  readonly vifs: readonly Vif[];
  /** Where the config and AWS disagree (the config won), for the log. */
  readonly disagreements: readonly string[];
}

export interface MergeOptions {
  /** Only these discovered VIFs (empty: all). Configured VIFs are always kept. */
  readonly watch: readonly string[];
  readonly ignore: readonly string[];
}

/**
 * The VIFs to watch: each configured VIF (completed from AWS where it is
 * also discovered), then each discovered VIF the config does not name.
 */
export function mergeVifs(configured: readonly Vif[], declared: ReadonlyMap<string, ReadonlySet<string>>, discovered: readonly Vif[], options: MergeOptions): MergeResult {
  const byId = new Map(discovered.map((v) => [v.id, v]));
  const disagreements: string[] = [];
  const out: Vif[] = [];
  for (const c of configured) {
    const d = byId.get(c.id);
    if (d === undefined) {
      out.push(c);
      continue;
    }
    const keys = declared.get(c.id) ?? new Set<string>(VIF_KEYS);
    const merged: Record<string, unknown> = { id: c.id };
    for (const k of VIF_KEYS) {
      merged[k] = keys.has(k) ? c[k] : d[k];
      if (keys.has(k) && (k === 'type' || k === 'region' || k === 'connection') && d[k] !== undefined && c[k] !== d[k]) {
        disagreements.push(`${c.id}: the config says ${k} ${String(c[k])}, AWS says ${String(d[k])}; the config wins`);
      }
    }
    out.push(Object.freeze(merged) as unknown as Vif);
  }
  const named = new Set(configured.map((v) => v.id));
  for (const d of discovered) {
    if (named.has(d.id) || options.ignore.includes(d.id)) continue;
    if (options.watch.length > 0 && !options.watch.includes(d.id)) continue;
    out.push(d);
  }
  return { vifs: Object.freeze(out), disagreements: Object.freeze(disagreements) };
}
