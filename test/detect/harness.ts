/**
 * A detection test bench: a config (parsed from YAML, so the config path is
 * exercised too), a Validator, a RIB revalidated on VRP changes the way the
 * daemon does it, the Detection under test and a sink that records every
 * raise and clear and knows which conditions hold.
 */
import { AsPath } from '../../src/bgp/as-path.js';
import type { Condition, ConditionSink } from '../../src/alerts/alert.js';
import { parseConfig, type RovdConfig } from '../../src/config/config.js';
import { Detection } from '../../src/detect/detection.js';
import { type Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import type { PeerTable, RibKind } from '../../src/rib/peer-table.js';
import { Rib } from '../../src/rib/rib.js';
import { Validator } from '../../src/rov/validator.js';
import type { Aspa } from '../../src/rpki/aspa.js';
import { makePayload } from '../../src/rpki/payload.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VifMap } from '../../src/vif/vif-map.js';
import { attrs } from '../rib/fixtures.js';

export class RecordingSink implements ConditionSink {
  readonly raised: Condition[] = [];
  readonly cleared: string[] = [];
  readonly holding = new Map<string, Condition>();

  raise(c: Condition): void {
    this.raised.push(c);
    this.holding.set(c.fingerprint, c);
  }

  clear(fp: string): void {
    this.cleared.push(fp);
    this.holding.delete(fp);
  }

  /** Conditions holding now, of one type. */
  of(type: Condition['type']): Condition[] {
    return [...this.holding.values()].filter((c) => c.type === type);
  }
}

export class DetectionBench {
  readonly config: RovdConfig;
  readonly validator: Validator;
  readonly rib: Rib;
  readonly vifs: VifMap;
  readonly sink = new RecordingSink();
  readonly detection: Detection;
  nowMs = 1_800_000_000_000;
  /** When Direct Connect's API last polled each VIF (route-divergence reads it). */
  readonly polls = new Map<string, number>();

  constructor(yaml: string) {
    this.config = parseConfig(yaml, '/test/rovd.yaml');
    this.validator = new Validator({ now: () => this.nowMs });
    this.vifs = new VifMap(this.config.vifs);
    this.rib = new Rib({ index: this.validator.snapshot.vrps, now: () => this.nowMs });
    this.detection = new Detection({ settings: this.config.detection, vifs: this.vifs, rib: this.rib, validator: this.validator, sink: this.sink, now: () => this.nowMs, tickMs: 60_000, lastPoll: (id) => this.polls.get(id) });
    this.validator.onChange((change) => {
      this.detection.beforeRevalidate(change);
      this.rib.revalidate(change.affected, change.current.vrps);
      this.detection.afterRevalidate();
    });
    this.detection.start();
  }

  /** Publishes VRPs given as `prefix-maxLength ASN` strings (e.g. `192.0.2.0/24-24 64500`), and ASPAs. */
  vrps(list: readonly string[], aspas: readonly Aspa[] = []): void {
    const vrps = list.map((s) => {
      const [pm, asn] = s.split(' ');
      const [p, max] = pm!.split('-');
      return parseVrp(p!, Number(max ?? Prefix.parse(p!).length), asn);
    });
    this.validator.publish(makePayload(VrpTable.from(vrps), aspas));
  }

  table(router: string, peerAddress: string, kind: RibKind = 'adj-rib-in-pre'): PeerTable {
    return this.rib.table({ router, peer: `0|0:0|${peerAddress}`, kind });
  }

  announce(table: PeerTable, prefix: string, path: string, extra: { communities?: number[]; pathId?: number } = {}): void {
    this.rib.announce(table, Prefix.parse(prefix), extra.pathId ?? 0, attrs({ asPath: AsPath.parse(path), communities: extra.communities ?? [] }));
  }

  withdraw(table: PeerTable, prefix: string, pathId = 0): void {
    this.rib.withdraw(table, Prefix.parse(prefix), pathId);
  }

  stop(): void {
    this.detection.stop();
  }
}

export const asn = (n: number): Asn => n as Asn;
