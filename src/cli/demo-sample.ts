/**
 * The demo's bundled table (config/sample/demo.mrt): what one Amazon-side
 * peer announces, written as MRT BGP4MP_MESSAGE_AS4 records (RFC 6396
 * §4.4.3), one UPDATE each, so `rovd demo` exercises the same MRT reader
 * as `rovd replay`. The routes are drawn from the bundled VRP sample so
 * each RFC 6811 outcome appears: valid routes, routes with a wrong origin
 * (invalid), a route longer than its VRPs allow (invalid), unknown space
 * (not-found), and a sub-prefix hijack of the demo's own prefix.
 * `rovd demo --write-sample FILE` rewrites it.
 */
import { readFileSync } from 'node:fs';
import { AsPath } from '../bgp/as-path.js';
import { capabilities } from '../bgp/capabilities.js';
import { encodeUpdate } from '../bgp/encode/update.js';
import { type Asn, parseAsn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';

export const DEMO_PEER = Object.freeze({ address: '169.254.255.1', asn: 7224, bgpId: '10.255.0.1' });
export const DEMO_LOCAL = Object.freeze({ address: '169.254.255.2', asn: 65000 });
/** The demo's own prefix and who may originate it (in the bundled VRPs too). */
export const DEMO_OWN = Object.freeze({ prefix: '203.119.104.0/22', origin: 4608 });
export const DEMO_HIJACKER = 64666;

const TIMESTAMP = 1_764_000_000;

function record(update: Uint8Array): Buffer {
  const body = Buffer.alloc(20);
  body.writeUInt32BE(DEMO_PEER.asn, 0);
  body.writeUInt32BE(DEMO_LOCAL.asn, 4);
  body.writeUInt16BE(0, 8);
  body.writeUInt16BE(1, 10); // AFI IPv4
  Buffer.from(DEMO_PEER.address.split('.').map(Number)).copy(body, 12);
  Buffer.from(DEMO_LOCAL.address.split('.').map(Number)).copy(body, 16);
  const header = Buffer.alloc(12);
  header.writeUInt32BE(TIMESTAMP, 0);
  header.writeUInt16BE(16, 4); // BGP4MP
  header.writeUInt16BE(4, 6); // BGP4MP_MESSAGE_AS4
  header.writeUInt32BE(body.length + update.length, 8);
  return Buffer.concat([header, body, update]);
}

/** The sample's bytes, from the bundled VRPs (`vrpsFile`, a JSON array of {prefix, maxLength, asn}). */
export function demoSample(vrpsFile: string): Buffer {
  const vrps = (JSON.parse(readFileSync(vrpsFile, 'utf8')) as { prefix: string; maxLength: number; asn: string }[]).filter((v) => v.asn !== '0' && v.prefix.includes('.'));
  const caps = capabilities({ asn4: true });
  const routes: { prefix: string; origin: number }[] = [];
  // Valid: VRPs as announced by their own AS.
  for (const v of vrps.slice(0, 60)) routes.push({ prefix: v.prefix, origin: Number(parseAsn(v.asn)) });
  // Invalid, wrong origin.
  for (const v of vrps.slice(60, 64)) routes.push({ prefix: v.prefix, origin: 64511 });
  // Invalid, too specific: a /25 under a VRP whose maxLength stops at 24 or shorter.
  const short = vrps.find((v) => v.maxLength <= 24 && Number(v.prefix.split('/')[1]) <= 24)!;
  routes.push({ prefix: Prefix.parse(short.prefix).toString().replace(/\/\d+$/, '/25'), origin: Number(parseAsn(short.asn)) });
  // Not found: documentation space no VRP covers.
  for (const p of ['192.0.2.0/24', '198.51.100.0/24', '100.64.0.0/16']) routes.push({ prefix: p, origin: 64500 });
  // The demo's own prefix, and a more-specific of it from another AS.
  routes.push({ prefix: DEMO_OWN.prefix, origin: DEMO_OWN.origin });
  routes.push({ prefix: '203.119.104.0/24', origin: DEMO_HIJACKER });
  return Buffer.concat(
    routes.map((r) =>
      record(
        encodeUpdate(
          {
            announced: [{ prefix: Prefix.parse(r.prefix), pathId: 0 }],
            attributes: { origin: 'igp', asPath: AsPath.sequence([DEMO_PEER.asn as Asn, ...(r.origin === DEMO_PEER.asn ? [] : [r.origin as Asn])]), nextHop: DEMO_PEER.address },
          },
          caps,
        ),
      ),
    ),
  );
}
