/**
 * From BMP events to the Adj-RIB-In: which table a Route Monitoring
 * message goes to, what a peer or router going down does to its routes.
 *
 * Tables are keyed by the router's address (not address:port: a router
 * that reconnects comes from another port and must find its routes), the
 * peer (RFC 7854 §4.2 type, distinguisher and address) and the RIB the
 * message reports (pre-/post-policy Adj-RIB-In, Adj-RIB-Out per RFC 8671,
 * Loc-RIB per RFC 9069).
 *
 * - Peer Down (RFC 7854 §4.9): the BGP session is gone, so are its routes:
 *   every table of that peer is dropped, with withdraw events.
 * - Router down (the BMP session ended; a collector restart, a router
 *   reload, a broken stream): the BGP sessions may well be up, only our
 *   view of them is lost. The router's routes are kept but marked stale
 *   for the grace period; what the router re-announces when it comes back
 *   is fresh again, End-of-RIB drops what it did not re-announce (RFC 4724
 *   §4.2 in spirit), and the rest is dropped when the period ends. So a
 *   restart of rovd's peer does not look like a mass withdrawal.
 */
import type { BmpEvent, BmpPeerUpEvent, BmpRouteBatchEvent, BmpRouteMonitoringEvent, BmpRouterDownEvent } from '../bmp/events.js';
import type { BmpPeer, BmpRib } from '../bmp/per-peer-header.js';
import type { BmpStatisticsReport } from '../bmp/statistics.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Asn } from '../net/asn.js';
import type { PeerTable } from '../rib/peer-table.js';
import type { Rib, UpdateOutcome } from '../rib/rib.js';
import { UW_END_OF_RIB } from '../rib/update-words.js';
import type { VifMap } from '../vif/vif-map.js';

export interface BmpIngestOptions {
  readonly rib: Rib;
  readonly vifs: VifMap;
  /** How long a router's routes stay (stale) after its BMP session ends. */
  readonly staleGraceMs: number;
  readonly logger?: Logger;
}

export interface BmpIngestCounters {
  routeMonitoring: number;
  announced: number;
  replaced: number;
  withdrawn: number;
  endOfRib: number;
  peerDown: number;
  routerDown: number;
  staleMarked: number;
  staleDropped: number;
  droppedMessages: number;
}

interface VifCount {
  readonly label: string;
  updates: number;
}

export class BmpIngest {
  private readonly rib: Rib;
  private vifs: VifMap;
  private readonly staleGraceMs: number;
  private readonly log: Logger;
  /** The router's own AS per router and peer, from Peer Up (RFC 6811 §2 origin of an empty AS_PATH). */
  private readonly localAsn = new Map<string, Asn>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /**
   * The table of the last Route Monitoring message: a router sends a
   * peer's table as a run of messages, and the station hands out the same
   * BmpPeer object while the per-peer header repeats, so most messages
   * skip the lookup (a key string and a map) entirely.
   */
  private last: { readonly router: string; readonly peer: object; readonly rib: string; readonly table: PeerTable; readonly vif: VifCount } | undefined;
  /** UPDATE counts per VIF label: few (one per VIF, plus unmapped), kept as objects so the hot path increments a field. */
  private readonly byVif = new Map<string, VifCount>();
  private latency: ((seconds: number, vif: string) => void) | undefined;
  /** Latest Statistics Report per router and peer, for metrics. */
  readonly statistics = new Map<string, { readonly at: number; readonly report: BmpStatisticsReport }>();
  readonly counters: BmpIngestCounters = {
    routeMonitoring: 0,
    announced: 0,
    replaced: 0,
    withdrawn: 0,
    endOfRib: 0,
    peerDown: 0,
    routerDown: 0,
    staleMarked: 0,
    staleDropped: 0,
    droppedMessages: 0,
  };

  constructor(options: BmpIngestOptions) {
    this.rib = options.rib;
    this.vifs = options.vifs;
    this.staleGraceMs = options.staleGraceMs;
    this.log = options.logger ?? NOOP_LOGGER;
  }

  /** The station's listener. Synchronous: the RIB is in memory. */
  handle(event: BmpEvent): void {
    // Anything but Route Monitoring may drop or replace tables.
    if (event.type !== 'route-monitoring' && event.type !== 'route-batch') this.last = undefined;
    switch (event.type) {
      case 'route-monitoring':
        return this.routeMonitoring(event);
      case 'route-batch':
        return this.routeBatch(event);
      case 'peer-up':
        return this.peerUp(event);
      case 'peer-down': {
        this.counters.peerDown++;
        const dropped = this.tablesOf(event.router.address, event.peer.key).reduce((n, t) => n + this.rib.dropTable(t), 0);
        this.log.info({ router: event.router.id, peer: event.peer.address, peerAsn: event.peer.asn, vif: this.vifLabel(event.router.address, event.peer.address), reason: event.peerDown.reasonName, routes: dropped }, 'bmp: peer down, its routes withdrawn');
        return;
      }
      case 'router-up':
        this.log.info({ router: event.router.id }, 'bmp: router connected');
        return;
      case 'initiation':
        this.log.info({ router: event.router.id, sysName: event.initiation.sysName, sysDescr: event.initiation.sysDescr }, 'bmp: router initiated');
        return;
      case 'router-down':
        return this.routerDown(event);
      case 'statistics':
        this.statistics.set(`${event.router.address}|${event.peer.key}`, { at: event.at, report: event.report });
        return;
      case 'message-dropped':
        this.counters.droppedMessages++;
        this.log.warn({ router: event.router.id, peer: event.peer?.address, messageType: event.messageType, offset: event.offset, error: event.error.message }, 'bmp: message dropped');
        return;
    }
  }

  /** Ends the grace timers (the daemon is stopping). */
  stop(): void {
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  /** A config reload: VIF labels from now on (tables keep theirs until they are next looked up). */
  setVifs(vifs: VifMap): void {
    this.vifs = vifs;
    this.last = undefined;
  }

  /** `dxvif-…` or `unmapped`. */
  vifLabel(routerAddress: string, peerAddress: string): string {
    return this.vifs.label(routerAddress, peerAddress);
  }

  /**
   * Sets the observer of each UPDATE's latency: from its arrival on this
   * thread (the event or batch that carries it) to its routes validated and
   * held, in seconds, with the VIF label. A message late in a large batch
   * includes the wait for the ones before it: that is the delay an alert
   * about it sees. Undefined stops observing (no clock is read then).
   */
  observeLatency(observer: ((seconds: number, vif: string) => void) | undefined): void {
    this.latency = observer;
  }

  private routeMonitoring(event: BmpRouteMonitoringEvent): void {
    const arrived = this.latency === undefined ? 0 : performance.now();
    this.counters.routeMonitoring++;
    const table = this.tableOf(event.router.address, event.peer, event.rib);
    this.count(this.rib.applyUpdate(table, event.update));
    if (event.update.endOfRib !== undefined) this.counters.endOfRib++;
    this.updated(this.last!.vif, arrived);
  }

  /** Route Monitoring decoded on the station's decoder thread: the same, message by message, from words. */
  private routeBatch(event: BmpRouteBatchEvent): void {
    const arrived = this.latency === undefined ? 0 : performance.now();
    const router = event.router.address;
    // One clock reading for the batch: its messages arrived together.
    const at = this.rib.seconds();
    for (const c = event.batch.cursor(); c.next(); ) {
      this.counters.routeMonitoring++;
      const table = this.tableOf(router, c.peer, c.rib);
      this.count(this.rib.applyWords(table, c.words, c.update, c.texts, at));
      if (c.words[c.update + UW_END_OF_RIB] !== 0) this.counters.endOfRib++;
      this.updated(this.last!.vif, arrived);
    }
  }

  /** Counts the UPDATE for its VIF and reports its latency. */
  private updated(vif: VifCount, arrived: number): void {
    vif.updates++;
    if (this.latency !== undefined) this.latency((performance.now() - arrived) / 1000, vif.label);
  }

  private tableOf(router: string, peer: BmpPeer, rib: BmpRib): PeerTable {
    const last = this.last;
    if (last !== undefined && last.peer === peer && last.rib === rib && last.router === router) return last.table;
    const table = this.rib.table({ router, peer: peer.key, kind: rib }, { localAsn: this.localAsn.get(`${router}|${peer.key}`) });
    const label = this.vifLabel(router, peer.address);
    let vif = this.byVif.get(label);
    if (vif === undefined) {
      vif = { label, updates: 0 };
      this.byVif.set(label, vif);
    }
    this.last = { router, peer, rib, table, vif };
    return table;
  }

  /** UPDATEs applied per VIF label (`unmapped` included), for metrics. */
  updatesByVif(): ReadonlyMap<string, number> {
    return new Map([...this.byVif.values()].map((v) => [v.label, v.updates]));
  }

  private count(outcome: UpdateOutcome): void {
    this.counters.announced += outcome.announced;
    this.counters.replaced += outcome.replaced;
    this.counters.withdrawn += outcome.withdrawn;
    this.counters.staleDropped += outcome.staleDropped;
  }

  private peerUp(event: BmpPeerUpEvent): void {
    const router = event.router.address;
    const key = `${router}|${event.peer.key}`;
    // Tables keep the local AS they were made with: a new one means a new table.
    const asn = event.peerUp.sentOpen.myAsn;
    const previous = this.localAsn.get(key);
    if (previous !== undefined && previous !== asn) for (const t of this.tablesOf(router, event.peer.key)) this.rib.dropTable(t);
    this.localAsn.set(key, asn);
    this.log.info(
      { router: event.router.id, peer: event.peer.address, peerAsn: event.peer.asn, localAsn: asn, vif: this.vifLabel(router, event.peer.address), asn4: event.capabilities.adjRibIn.asn4, addPath: [...event.capabilities.adjRibIn.addPath] },
      'bmp: peer up',
    );
  }

  private routerDown(event: BmpRouterDownEvent): void {
    this.counters.routerDown++;
    const router = event.router.address;
    // Another session of the same router may still be up (a quick reconnect): its routes stay fresh.
    const tables = this.rib.tablesOfRouter(router);
    let marked = 0;
    for (const t of tables) marked += this.rib.markStale(t);
    this.counters.staleMarked += marked;
    this.log.warn({ router: event.router.id, reason: event.reason.kind, message: 'message' in event.reason ? event.reason.message : undefined, staleRoutes: marked, graceSeconds: this.staleGraceMs / 1000 }, 'bmp: router session ended; its routes are stale for the grace period');
    clearTimeout(this.graceTimers.get(router));
    const timer = setTimeout(() => {
      this.graceTimers.delete(router);
      this.last = undefined;
      let dropped = 0;
      for (const t of this.rib.tablesOfRouter(router)) dropped += this.rib.dropStale(t);
      this.counters.staleDropped += dropped;
      if (dropped > 0) this.log.warn({ router, routes: dropped }, 'bmp: grace period over; stale routes withdrawn');
    }, this.staleGraceMs);
    timer.unref();
    this.graceTimers.set(router, timer);
  }

  private tablesOf(router: string, peerKey: string): PeerTable[] {
    return this.rib.tablesOfRouter(router).filter((t) => t.peer === peerKey);
  }
}
