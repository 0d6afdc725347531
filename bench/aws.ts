/**
 * bench:aws: what one poll of Direct Connect's route list costs rovd once
 * the answer is in (src/aws/): checking the wire JSON member by member,
 * applying the list to the RIB (first poll: all new; an unchanged poll;
 * a poll with 1% changed and 1% gone), and the BMP/API divergence check
 * over the same routes on both sides. Sizes: 1,000 routes (a public VIF's
 * accepted limit), 10,000 (a public VIF receiving Amazon's prefixes) and
 * 100,000 (headroom, far beyond any VIF).
 *
 * The network is not measured: at the default budget of 2 requests/s and
 * 100 routes per page, listing N routes takes at least N/200 seconds
 * whatever rovd does, which the last section prints.
 *
 *   npm run bench:aws
 */
import { decodeRoute } from '../src/aws/direct-connect-decode.js';
import type { AwsRoute } from '../src/aws/direct-connect-types.js';
import { AwsRouteFeed } from '../src/aws/route-feed.js';
import { parseConfig } from '../src/config/config.js';
import { Detection } from '../src/detect/detection.js';
import type { Asn } from '../src/net/asn.js';
import { Rib } from '../src/rib/rib.js';
import { Validator } from '../src/rov/validator.js';
import { VifMap } from '../src/vif/vif-map.js';
import { partialAttributes } from '../src/bgp/attributes.js';
import { AsPath } from '../src/bgp/as-path.js';
import { fmtInt, fmtMs, machine, median, timed } from './measure.js';
import { line, printMachine, section } from './report.js';

const started = machine();
printMachine('rovd Direct Connect route-list benchmark', started, 'single-threaded run');

const ROUTER = '192.0.2.1';
const PEER = '169.254.255.1';
const VIF = 'dxvif-bench0001';
const config = parseConfig(`vifs:\n  - { id: ${VIF}, type: public, region: us-east-1, router: ${ROUTER}, peers: [{ address: ${PEER}, asn: 7224 }] }\n`, '/bench/rovd.yaml');

/** The wire form AWS sends: `advertised` routes from 16509 through 7224, distinct /24s. */
function wireRoutes(n: number, salt = 0): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const a = 10 + (i >> 16);
    out.push({
      cidr: `${a}.${(i >> 8) & 255}.${i & 255}.0/24`,
      routeDirection: 'advertised',
      addressFamily: 'ipv4',
      asPath: [{ pathType: 'seq', path: [7224, 16509 + (i % 100 < salt ? 1 : 0)] }],
      communities: ['7224:8100', 'no-export'],
      awsLogicalDeviceId: 'EqDC2-1a2b3c4d5e6f7',
      routeInstalledAt: 1_790_000_000 + i,
    });
  }
  return out;
}

const RUNS = 5;
const runs = (fn: () => number): number => {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) times.push(fn());
  return median(times);
};

for (const n of [1_000, 10_000, 100_000]) {
  section(`${fmtInt(n)} routes on one VIF (median of ${RUNS})`);
  const wire = wireRoutes(n);
  const decodeMs = runs(() => timed(() => wire.map(decodeRoute)).ms);
  line('check the wire JSON', `${fmtMs(decodeMs)} (${fmtInt(Math.round(n / (decodeMs / 1000)))} routes/s)`);
  const routes: AwsRoute[] = wire.map(decodeRoute);
  const changed: AwsRoute[] = wireRoutes(n, 1).map(decodeRoute).slice(0, Math.floor(n * 0.99));

  let firstMs = 0;
  let sameMs = 0;
  let churnMs = 0;
  let divergenceMs = 0;
  let raised = 0;
  const first: number[] = [];
  const same: number[] = [];
  const churn: number[] = [];
  const diverge: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const rib = new Rib();
    const vifs = new VifMap(config.vifs);
    const feed = new AwsRouteFeed(rib);
    const vif = vifs.get(VIF)!;
    first.push(timed(() => feed.apply(vif, routes)).ms);
    same.push(timed(() => feed.apply(vif, routes)).ms);
    churn.push(timed(() => feed.apply(vif, changed)).ms);
    // The router's Adj-RIB-In holds the original list: 1% other paths, 1% missing on the API side.
    const bmp = rib.table({ router: ROUTER, peer: `0|0:0|${PEER}`, kind: 'adj-rib-in-pre' }, { localAsn: 65000 as Asn });
    for (const route of routes) rib.announce(bmp, route.prefix, 0, partialAttributes({ asPath: AsPath.sequence([7224, 16509] as Asn[]) }));
    let count = 0;
    const sink = { raise: () => void count++, clear: () => {} };
    const at = { now: 0 };
    const detection = new Detection({ settings: { ...config.detection, divergence: { ...config.detection.divergence, holdSeconds: 0 } }, vifs, rib, validator: new Validator(), sink, now: () => at.now, lastPoll: () => at.now - 1 });
    detection.tick();
    at.now = 10_000;
    diverge.push(timed(() => detection.tick()).ms);
    raised = count;
  }
  firstMs = median(first);
  sameMs = median(same);
  churnMs = median(churn);
  divergenceMs = median(diverge);
  line('first poll (all new)', `${fmtMs(firstMs)} (${fmtInt(Math.round(n / (firstMs / 1000)))} routes/s)`);
  line('same list again', `${fmtMs(sameMs)} (no event)`);
  line('1% other paths, 1% gone', fmtMs(churnMs));
  line('divergence check (one tick)', `${fmtMs(divergenceMs)}, ${fmtInt(raised)} differences raised`);
  line('at 2 requests/s, 100 per page', `listing takes ≥ ${(Math.ceil(n / 100) / 2).toFixed(1)} s`);
}
