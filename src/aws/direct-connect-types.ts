/**
 * What rovd reads from AWS Direct Connect, as domain values: the virtual
 * interfaces of an account in a region (DescribeVirtualInterfaces, with
 * their BGP peers), the routes on one of them (ListVirtualInterfaceRoutes),
 * and the gateways and connections around them.
 *
 * The wire shapes are AWS's (Direct Connect API Reference,
 * "VirtualInterface", "BGPPeer", "Route", "AsPathSegment"); these types
 * are what is left once a response has been checked: addresses without
 * their mask, prefixes parsed, AS paths as rovd's AsPath, times as epoch
 * milliseconds. A member AWS leaves out stays undefined: nothing is
 * invented.
 */
import type { AsPath } from '../bgp/as-path.js';
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { VifType } from '../vif/vif.js';

/**
 * AWS's words for a route's direction, from AWS's side of the session:
 * `accepted` routes came from the customer network, `advertised` routes
 * went to it.
 */
export type AwsRouteDirection = 'accepted' | 'advertised';

export type AwsAddressFamily = 'ipv4' | 'ipv6';

/** One route ListVirtualInterfaceRoutes lists. */
export interface AwsRoute {
  readonly prefix: Prefix;
  readonly direction: AwsRouteDirection;
  /** From the `asPath` segments (`seq` → AS_SEQUENCE, `set` → AS_SET); empty when AWS gives none. */
  readonly asPath: AsPath;
  /** As AWS writes them (`7224:9100`, `no-export`…); kept as text, parsed where used. */
  readonly communities: readonly string[];
  /** The Direct Connect endpoint that terminates the logical connection. */
  readonly awsLogicalDeviceId: string | undefined;
  /** When AWS installed the route, epoch ms. */
  readonly installedAt: number | undefined;
}

/** The filters ListVirtualInterfaceRoutes takes (all optional). */
export interface AwsRouteFilters {
  readonly direction?: AwsRouteDirection;
  readonly addressFamily?: AwsAddressFamily;
  /** Up to 10 CIDRs. */
  readonly cidrs?: readonly string[];
  readonly asPath?: readonly number[];
  readonly communities?: readonly string[];
}

/** AWS's `bgpStatus`: whether the BGP session is established. */
export type AwsBgpStatus = 'up' | 'down' | 'unknown';

/** One BGP peer of a VIF (a VIF has one per address family, or more). */
export interface DiscoveredBgpPeer {
  readonly id: string | undefined;
  readonly addressFamily: AwsAddressFamily;
  /** The customer's ASN on this session. */
  readonly asn: Asn;
  /** Amazon's end of the session, without the mask (`169.254.255.1`). */
  readonly amazonAddress: string | undefined;
  /** The customer router's end, without the mask. */
  readonly customerAddress: string | undefined;
  /** `bgpPeerState`: verifying, pending, available, deleting, deleted. */
  readonly state: string;
  readonly status: AwsBgpStatus;
  readonly awsDeviceId: string | undefined;
  readonly awsLogicalDeviceId: string | undefined;
}

/** One virtual interface as DescribeVirtualInterfaces describes it. */
export interface DiscoveredVif {
  readonly id: string;
  readonly name: string | undefined;
  readonly type: VifType;
  /** `virtualInterfaceState`: confirming, verifying, pending, available, down, deleting, deleted, rejected, unknown. */
  readonly state: string;
  /** The region it was discovered in (the client's). */
  readonly region: string;
  readonly ownerAccount: string | undefined;
  readonly connectionId: string | undefined;
  readonly location: string | undefined;
  readonly vlan: number | undefined;
  /** The customer side's ASN. */
  readonly customerAsn: Asn;
  /** Amazon's side (the gateway's ASN on private and transit VIFs); undefined on public VIFs, where it is 7224. */
  readonly amazonSideAsn: Asn | undefined;
  readonly directConnectGatewayId: string | undefined;
  readonly virtualGatewayId: string | undefined;
  /** Public VIFs: the prefixes the customer asked to advertise (`routeFilterPrefixes`). */
  readonly routeFilterPrefixes: readonly Prefix[];
  readonly mtu: number | undefined;
  readonly peers: readonly DiscoveredBgpPeer[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface DiscoveredConnection {
  readonly id: string;
  readonly name: string | undefined;
  readonly state: string;
  readonly location: string | undefined;
  readonly bandwidth: string | undefined;
  readonly lagId: string | undefined;
}

export interface DiscoveredGateway {
  readonly id: string;
  readonly name: string | undefined;
  readonly amazonSideAsn: Asn | undefined;
  readonly state: string;
  /**
   * The prefixes the gateway may advertise to on-premises networks: the
   * union of `allowedPrefixesToDirectConnectGateway` over its associations
   * (DescribeDirectConnectGatewayAssociations).
   */
  readonly allowedPrefixes: readonly Prefix[];
}

/**
 * Direct Connect as rovd uses it, one client per account and region.
 * Every method pages through to the end, retries what AWS says to retry,
 * and throws an AwsApiError otherwise.
 */
export interface DirectConnectApi {
  readonly region: string;
  describeVirtualInterfaces(): Promise<readonly DiscoveredVif[]>;
  describeConnections(): Promise<readonly DiscoveredConnection[]>;
  describeDirectConnectGateways(): Promise<readonly DiscoveredGateway[]>;
  listVirtualInterfaceRoutes(virtualInterfaceId: string, filters?: AwsRouteFilters): Promise<readonly AwsRoute[]>;
  /** Releases sockets; calls after it fail. */
  close(): void;
}
