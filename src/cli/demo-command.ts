/**
 * `rovd demo`: rovd without a router. Starts the daemon on the default
 * config (sample VRPs) with a demo VIF and own prefix, plays the bundled
 * MRT table (config/sample/demo.mrt) into its BMP station over a real TCP
 * connection, as a router exporting BMP would, and prints what rovd made of
 * it: routes by RPKI state, the invalid ones with their reason, the alerts
 * and their grouped notifications, and where the API is. Then it keeps
 * running (Ctrl-C stops it) so the API can be explored; `--once` stops
 * after the summary.
 */
import { writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Notification } from '../alerts/notification.js';
import { encodeOpen } from '../bgp/encode/open.js';
import { bmpInitiation, bmpPeerUp, bmpRouteMonitoring } from '../bmp/encode.js';
import { parseConfig } from '../config/config.js';
import { Daemon } from '../daemon/daemon.js';
import { startApi } from '../http/serve.js';
import { createLogger } from '../log/logger.js';
import { MrtDecoder } from '../mrt/decoder.js';
import { readMrtFile } from '../mrt/source.js';
import { RovState } from '../rov/validity.js';
import { parseHostPort } from '../rtr/transport.js';
import { DEMO_LOCAL, DEMO_OWN, DEMO_PEER, demoSample } from './demo-sample.js';
import { parseCommandArgs } from './options.js';
import { UsageError } from './usage-error.js';
import type { CommandIo } from './validate-command.js';
import { untilAborted } from './until-aborted.js';

export const DEMO_HELP = `Usage: rovd demo [--http ADDR:PORT] [--once] [--write-sample FILE]

Runs rovd on the bundled sample VRPs and plays the bundled MRT table
(config/sample/demo.mrt) into it over BMP, as a router would: within seconds
it shows routes by RPKI state, the invalid ones, a sub-prefix hijack of the
demo's own prefix, and the alerts grouped into notifications. The API stays
up (default 127.0.0.1:9684) until Ctrl-C.

  --http ADDR:PORT     where the API listens (port 0: any free port)
  --once               stop after the summary
  --write-sample FILE  write the demo MRT table to FILE and exit`;

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE = join(PACKAGE_ROOT, 'config/sample/demo.mrt');
const VRPS = join(PACKAGE_ROOT, 'config/sample/vrps.json');

export async function demoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('demo', argv, {
    http: { type: 'string' },
    once: { type: 'boolean' },
    'write-sample': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${DEMO_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`demo: unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values['write-sample'] !== undefined) {
    writeFileSync(values['write-sample'], demoSample(VRPS));
    io.stdout.write(`wrote ${values['write-sample']}\n`);
    return 0;
  }
  let http: { host: string; port: number };
  try {
    http = parseHostPort(values.http ?? '127.0.0.1:9684', undefined, { allowPortZero: true });
  } catch (err) {
    throw new UsageError(`demo: --http: ${(err as Error).message}`);
  }

  const config = parseConfig(
    `
rpki: { files: [sample/vrps.json] }
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }
http: { listen: "${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}" }
vifs:
  - { id: dxvif-demo1, name: demo private VIF, type: private, region: us-east-1, router: 127.0.0.1, peers: [{ address: ${DEMO_PEER.address}, asn: ${DEMO_PEER.asn} }] }
ownPrefixes:
  - { prefix: ${DEMO_OWN.prefix}, origins: [${DEMO_OWN.origin}], group: demo }
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
  grouping: { waitSeconds: 2 }
`,
    join(PACKAGE_ROOT, 'config/demo.yaml'),
  );
  const logger = createLogger('warn', io.stderr);
  const daemon = new Daemon({ config, logger, summaryIntervalMs: 0, alertTickMs: 100 });
  const notifications: Notification[] = [];
  daemon.alerts.on((e) => {
    if (e.kind === 'notified') notifications.push(e.notification);
  });
  const { bmp } = await daemon.start();
  const api = await startApi(daemon, config.http, logger);
  let router: Socket | undefined;
  try {
    const { routes: sent, prefixes, socket } = await play(bmp.port);
    router = socket;
    const deadline = Date.now() + 10_000;
    while (daemon.rib.count() < prefixes && Date.now() < deadline) await sleep(50);
    await sleep(2600); // the group wait: notifications collect their bursts
    report(io, daemon, notifications, api.url, sent);
    if (!values.once) {
      io.stdout.write(`\nrovd is running; Ctrl-C stops it.\n`);
      await untilAborted(io.shutdown);
    }
  } finally {
    router?.destroy();
    await api.close();
    await daemon.stop();
  }
  return 0;
}

/**
 * Connects to the station as a router and sends the bundled table; returns
 * the routes sent, the distinct prefixes among them (what the RIB will
 * hold) and the socket, left open: a router that stays connected.
 */
async function play(port: number): Promise<{ routes: number; prefixes: number; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  // Both OPENs announce 4-octet AS numbers (RFC 6793 capability 65), so the station reads the UPDATEs as the MRT AS4 records carry them.
  const open = (asn: number, id: string) => encodeOpen({ myAsn: asn > 65535 ? 23456 : asn, holdTime: 90, bgpId: id, capabilities: [{ code: 65, value: Buffer.from([asn >>> 24, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff]) }] });
  const seconds = Math.floor(Date.now() / 1000);
  const chunks: Buffer[] = [bmpInitiation('demo-router', 'rovd demo: the bundled MRT table played as BMP'), bmpPeerUp(DEMO_PEER, { address: DEMO_LOCAL.address, port: 40000 }, open(DEMO_LOCAL.asn, '10.255.0.2'), open(DEMO_PEER.asn, DEMO_PEER.bgpId), seconds)];
  let routes = 0;
  const distinct = new Set<string>();
  const decoder = new MrtDecoder({ source: SAMPLE });
  for await (const batch of readMrtFile(SAMPLE)) {
    for (const record of batch) {
      // BGP4MP_MESSAGE_AS4 carries the UPDATE as received: forward its bytes (after the 20-octet BGP4MP header).
      decoder.decode(record, (e) => {
        if (e.kind !== 'announce') return;
        routes++;
        distinct.add(e.prefix.toString());
      });
      chunks.push(bmpRouteMonitoring(DEMO_PEER, record.body.subarray(20), seconds));
    }
  }
  socket.write(Buffer.concat(chunks));
  return { routes, prefixes: distinct.size, socket };
}

function report(io: CommandIo, daemon: Daemon, notifications: readonly Notification[], url: string, sent: number): void {
  const out = (s = '') => io.stdout.write(`${s}\n`);
  const rib = daemon.rib;
  out(`rovd demo: ${sent} routes played from config/sample/demo.mrt over BMP into ${daemon.validator.snapshot.vrps.size} VRPs`);
  out(`  held: ${rib.count()} routes: ${rib.count(undefined, RovState.Valid)} valid, ${rib.count(undefined, RovState.Invalid)} invalid, ${rib.count(undefined, RovState.NotFound)} not-found`);
  out('');
  out('Invalid routes:');
  for (const table of rib.tables()) {
    for (const r of rib.routes(table)) {
      if (r.state !== RovState.Invalid) continue;
      const v = daemon.validator.snapshot.vrps.explain(r.prefix, r.origin);
      out(`  ${r.prefix.toString().padEnd(20)} from AS${r.origin ?? 'none'}: ${v.reason === 'length' ? 'too specific' : 'wrong origin'} (${[...v.unmatchedAs, ...v.unmatchedLength].map((x) => `${x.prefix}-${x.maxLength} AS${x.asn}`).join(', ')})`);
    }
  }
  out('');
  out(`Alerts firing: ${daemon.alerts.alerts({ status: 'firing' }).length}; notifications (grouped by type, VIF, origin): ${notifications.length}`);
  for (const n of notifications) out(`  [${n.severity}] ${n.summary}${n.counts.firing > 1 ? ` (${n.counts.firing} alerts)` : ''}`);
  out('');
  out(`Look around: ${url}/api/v1/alerts?status=firing  ${url}/api/v1/routes?state=invalid  ${url}/api/v1/vifs  ${url}/metrics  ${url}/docs`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
