/**
 * Checking what Direct Connect answers, member by member, and turning it
 * into the domain values of direct-connect-types.ts.
 *
 * The wire shapes are the API Reference's data types: "VirtualInterface",
 * "BGPPeer", "RouteFilterPrefix", "Tag", "Connection",
 * "DirectConnectGateway", "DirectConnectGatewayAssociation", "Route" and
 * "AsPathSegment". Every member is optional on the wire ("Required: No");
 * those rovd cannot do without (an id, a VIF type, a route's CIDR and
 * direction, an ASN) are required here.
 *
 * One item is one unit: a VIF, a peer, a route. An item with a member of
 * the wrong type or out of range throws DecodeError naming the member, and
 * the caller skips that item with a warning, keeping the rest; a peer or a
 * route-filter prefix that is bad is skipped inside its VIF the same way.
 *
 * What rovd interprets (VIF type, route direction, address family, AS path
 * segment type, BGP status) must be one of the documented values. States
 * rovd only reports (`virtualInterfaceState`, `bgpPeerState`,
 * `connectionState`, `directConnectGatewayState`) only have to be
 * non-empty strings: a state AWS adds later is passed on with a warning
 * rather than hiding the VIF.
 *
 * Conventions AWS uses that are undone here: peer addresses carry their
 * mask (`169.254.255.1/30`, `2001:db8::1/125`) and are stored bare and
 * canonical; an ASN above 2,147,483,647 comes in `asnLong` with `asn` 0
 * (API Reference, DescribeVirtualInterfaces); timestamps are JSON 1.1
 * epoch seconds, possibly fractional, and are stored as epoch ms.
 */
import { AsPath, AsPathError, type AsPathSegment } from '../bgp/as-path.js';
import { canonicalAddress } from '../net/address.js';
import { type Asn, AsnError, parseAsn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';
import { VIF_TYPES, type VifType } from '../vif/vif.js';
import type {
  AwsAddressFamily,
  AwsBgpStatus,
  AwsRoute,
  AwsRouteDirection,
  DiscoveredBgpPeer,
  DiscoveredConnection,
  DiscoveredGateway,
  DiscoveredVif,
} from './direct-connect-types.js';

/** A member that is missing, of the wrong type or out of range; `member` is its path inside the item. */
export class DecodeError extends Error {
  constructor(
    readonly member: string,
    readonly reason: string,
  ) {
    super(`${member}: ${reason}`);
    this.name = 'DecodeError';
  }
}

/** Where a skipped part or an unexpected value is reported (the client logs it with the item's id). */
export type Warn = (member: string, reason: string) => void;

type Wire = Readonly<Record<string, unknown>>;

const DIRECTIONS: readonly AwsRouteDirection[] = ['accepted', 'advertised'];
const FAMILIES: readonly AwsAddressFamily[] = ['ipv4', 'ipv6'];
const BGP_STATUSES: readonly AwsBgpStatus[] = ['up', 'down', 'unknown'];
const PATH_TYPES = { seq: 'sequence', set: 'set' } as const;

/** API Reference, "VirtualInterface": virtualInterfaceState. */
const VIF_STATES = ['confirming', 'verifying', 'pending', 'available', 'down', 'testing', 'deleting', 'deleted', 'rejected', 'unknown'];
/** "BGPPeer": bgpPeerState. */
const PEER_STATES = ['verifying', 'pending', 'available', 'deleting', 'deleted'];
/** "Connection": connectionState. */
const CONNECTION_STATES = ['ordering', 'requested', 'pending', 'available', 'down', 'deleting', 'deleted', 'rejected', 'unknown'];
/** "DirectConnectGateway": directConnectGatewayState. */
const GATEWAY_STATES = ['pending', 'available', 'deleting', 'deleted'];

export function decodeVif(raw: unknown, region: string, warn: Warn): DiscoveredVif {
  const wire = object(raw, '(virtual interface)');
  const type = oneOf(wire, 'virtualInterfaceType', VIF_TYPES) as VifType;
  const directConnectGatewayId = optionalString(wire, 'directConnectGatewayId');
  const virtualGatewayId = optionalString(wire, 'virtualGatewayId');
  return {
    id: requiredString(wire, 'virtualInterfaceId'),
    name: optionalString(wire, 'virtualInterfaceName'),
    type,
    state: reportedState(wire, 'virtualInterfaceState', VIF_STATES, warn),
    region,
    ownerAccount: optionalString(wire, 'ownerAccount'),
    connectionId: optionalString(wire, 'connectionId'),
    location: optionalString(wire, 'location'),
    vlan: optionalInteger(wire, 'vlan', 1, 4094),
    customerAsn: asnOf(wire, ''),
    amazonSideAsn: optionalAsn(wire, 'amazonSideAsn'),
    // AWS sends "" for the gateway a VIF is not attached to.
    directConnectGatewayId: directConnectGatewayId === '' ? undefined : directConnectGatewayId,
    virtualGatewayId: virtualGatewayId === '' ? undefined : virtualGatewayId,
    routeFilterPrefixes: eachOf(wire, 'routeFilterPrefixes', warn, (item, member) => prefixIn(object(item, member), 'cidr', member)),
    mtu: optionalInteger(wire, 'mtu', 1, 65535),
    peers: eachOf(wire, 'bgpPeers', warn, (item, member) => decodePeer(object(item, member), member, warn)),
    tags: tagsOf(wire, warn),
  };
}

function decodePeer(wire: Wire, at: string, warn: Warn): DiscoveredBgpPeer {
  const addressFamily = oneOf(wire, 'addressFamily', FAMILIES, at);
  const status = wire.bgpStatus === undefined ? 'unknown' : oneOf(wire, 'bgpStatus', BGP_STATUSES, at);
  return {
    id: optionalString(wire, 'bgpPeerId', at),
    addressFamily,
    asn: asnOf(wire, at),
    amazonAddress: peerAddress(wire, 'amazonAddress', addressFamily, at),
    customerAddress: peerAddress(wire, 'customerAddress', addressFamily, at),
    state: reportedState(wire, 'bgpPeerState', PEER_STATES, warn, at),
    status,
    awsDeviceId: optionalString(wire, 'awsDeviceV2', at),
    awsLogicalDeviceId: optionalString(wire, 'awsLogicalDeviceId', at),
  };
}

export function decodeRoute(raw: unknown): AwsRoute {
  const wire = object(raw, '(route)');
  const prefix = prefixIn(wire, 'cidr', '');
  const family = wire.addressFamily === undefined ? undefined : oneOf(wire, 'addressFamily', FAMILIES);
  if (family !== undefined && family !== (prefix.afi === 4 ? 'ipv4' : 'ipv6')) {
    throw new DecodeError('addressFamily', `${family} does not match cidr ${prefix.toString()}`);
  }
  return {
    prefix,
    direction: oneOf(wire, 'routeDirection', DIRECTIONS),
    asPath: asPathOf(wire),
    communities: stringsOf(wire, 'communities'),
    awsLogicalDeviceId: optionalString(wire, 'awsLogicalDeviceId'),
    installedAt: epochSecondsAsMs(wire, 'routeInstalledAt'),
  };
}

export function decodeConnection(raw: unknown, warn: Warn): DiscoveredConnection {
  const wire = object(raw, '(connection)');
  return {
    id: requiredString(wire, 'connectionId'),
    name: optionalString(wire, 'connectionName'),
    state: reportedState(wire, 'connectionState', CONNECTION_STATES, warn),
    location: optionalString(wire, 'location'),
    bandwidth: optionalString(wire, 'bandwidth'),
    lagId: optionalString(wire, 'lagId'),
  };
}

/** A gateway without its allowed prefixes: those come from its associations (decodeAllowedPrefixes). */
export function decodeGateway(raw: unknown, warn: Warn): Omit<DiscoveredGateway, 'allowedPrefixes'> {
  const wire = object(raw, '(gateway)');
  return {
    id: requiredString(wire, 'directConnectGatewayId'),
    name: optionalString(wire, 'directConnectGatewayName'),
    amazonSideAsn: optionalAsn(wire, 'amazonSideAsn'),
    state: reportedState(wire, 'directConnectGatewayState', GATEWAY_STATES, warn),
  };
}

/**
 * The prefixes one association allows the gateway to advertise
 * (`allowedPrefixesToDirectConnectGateway`, API Reference,
 * "DirectConnectGatewayAssociation"); none once it is disassociated,
 * since AWS still lists such associations for a while.
 */
export function decodeAllowedPrefixes(raw: unknown, warn: Warn): readonly Prefix[] {
  const wire = object(raw, '(association)');
  requiredString(wire, 'directConnectGatewayId');
  const state = optionalString(wire, 'associationState');
  if (state === 'disassociated') return [];
  return eachOf(wire, 'allowedPrefixesToDirectConnectGateway', warn, (item, member) => prefixIn(object(item, member), 'cidr', member));
}

// --- members -------------------------------------------------------------

function join(at: string, member: string): string {
  return at === '' ? member : `${at}.${member}`;
}

function object(value: unknown, member: string): Wire {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError(member, 'not an object');
  return value as Wire;
}

function requiredString(wire: Wire, member: string, at = ''): string {
  const value = wire[member];
  if (typeof value !== 'string' || value === '') throw new DecodeError(join(at, member), value === undefined ? 'missing' : 'not a non-empty string');
  return value;
}

function optionalString(wire: Wire, member: string, at = ''): string | undefined {
  const value = wire[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DecodeError(join(at, member), 'not a string');
  return value;
}

function oneOf<T extends string>(wire: Wire, member: string, allowed: readonly T[], at = ''): T {
  const value = wire[member];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new DecodeError(join(at, member), `${value === undefined ? 'missing' : JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A state rovd passes on: any non-empty string, with a warning when AWS does not document it. */
function reportedState(wire: Wire, member: string, documented: readonly string[], warn: Warn, at = ''): string {
  const value = requiredString(wire, member, at);
  if (!documented.includes(value)) warn(join(at, member), `undocumented value ${JSON.stringify(value)} passed on as is`);
  return value;
}

function optionalInteger(wire: Wire, member: string, min: number, max: number, at = ''): number | undefined {
  const value = wire[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DecodeError(join(at, member), `${JSON.stringify(value)} is not an integer from ${min} to ${max}`);
  }
  return value;
}

function asnValue(value: unknown, member: string): Asn {
  // parseAsn also reads text ("AS65000"); on the wire an ASN is a JSON number.
  if (typeof value !== 'number') throw new DecodeError(member, `${JSON.stringify(value)} is not a number`);
  try {
    return parseAsn(value);
  } catch (err) {
    if (err instanceof AsnError) throw new DecodeError(member, err.message);
    throw err;
  }
}

/** `asnLong` when AWS sends it (it is the only one right above 2^31-1, where `asn` is 0), else `asn`. */
function asnOf(wire: Wire, at: string): Asn {
  if (wire.asnLong !== undefined && wire.asnLong !== null && wire.asnLong !== 0) return asnValue(wire.asnLong, join(at, 'asnLong'));
  if (wire.asn === undefined || wire.asn === null) throw new DecodeError(join(at, 'asn'), 'missing (and no asnLong)');
  return asnValue(wire.asn, join(at, 'asn'));
}

function optionalAsn(wire: Wire, member: string): Asn | undefined {
  const value = wire[member];
  return value === undefined || value === null ? undefined : asnValue(value, member);
}

function prefixIn(wire: Wire, member: string, at: string): Prefix {
  const text = requiredString(wire, member, at);
  const prefix = Prefix.tryParse(text);
  if (typeof prefix === 'string') throw new DecodeError(join(at, member), prefix);
  return prefix;
}

/** A peer address without AWS's mask, canonical; it must be of the peer's family. */
function peerAddress(wire: Wire, member: string, family: AwsAddressFamily, at: string): string | undefined {
  const text = optionalString(wire, member, at);
  if (text === undefined || text === '') return undefined;
  const slash = text.indexOf('/');
  const address = canonicalAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (address === undefined) throw new DecodeError(join(at, member), `${JSON.stringify(text)} is not an address`);
  if (address.includes(':') !== (family === 'ipv6')) throw new DecodeError(join(at, member), `${text} is not an ${family} address`);
  return address;
}

/** Each element of an optional array member, a bad one skipped with a warning. */
function eachOf<T>(wire: Wire, member: string, warn: Warn, decode: (item: unknown, member: string) => T): T[] {
  const value = wire[member];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DecodeError(member, 'not an array');
  const out: T[] = [];
  value.forEach((item, i) => {
    const at = `${member}[${i}]`;
    try {
      out.push(decode(item, at));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      warn(err.member, `${err.reason}; skipped`);
    }
  });
  return out;
}

function stringsOf(wire: Wire, member: string): string[] {
  const value = wire[member];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DecodeError(member, 'not an array');
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw new DecodeError(`${member}[${i}]`, 'not a string');
  });
  return value as string[];
}

/** AWS tags (API Reference, "Tag"): a key, and a value that may be absent (an empty value). */
function tagsOf(wire: Wire, warn: Warn): Readonly<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const [key, value] of eachOf(wire, 'tags', warn, (item, member) => {
    const tag = object(item, member);
    return [requiredString(tag, 'key', member), optionalString(tag, 'value', member) ?? ''] as const;
  })) {
    tags[key] = value;
  }
  return Object.freeze(tags);
}

/** `asPath`: segments `{pathType: seq|set, path: [asn…]}` (API Reference, "AsPathSegment"). */
function asPathOf(wire: Wire): AsPath {
  const value = wire.asPath;
  if (value === undefined || value === null) return AsPath.EMPTY;
  if (!Array.isArray(value)) throw new DecodeError('asPath', 'not an array');
  const segments: AsPathSegment[] = value.map((item, i) => {
    const at = `asPath[${i}]`;
    const segment = object(item, at);
    const type = PATH_TYPES[oneOf(segment, 'pathType', ['seq', 'set'] as const, at)];
    const path = segment.path;
    if (!Array.isArray(path) || path.length === 0) throw new DecodeError(`${at}.path`, 'not a non-empty array');
    return { type, asns: path.map((asn, j) => asnValue(asn, `${at}.path[${j}]`)) };
  });
  try {
    return AsPath.of(segments);
  } catch (err) {
    if (err instanceof AsPathError) throw new DecodeError('asPath', err.reason);
    throw err;
  }
}

/** A JSON 1.1 timestamp (Smithy, "timestampFormat": epoch-seconds) as epoch ms. */
function epochSecondsAsMs(wire: Wire, member: string): number | undefined {
  const value = wire[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new DecodeError(member, `${JSON.stringify(value)} is not epoch seconds`);
  return Math.round(value * 1000);
}
