/**
 * What an MRT decoder saw: records per type, what it skipped and why, and
 * the routes it emitted. Counters are plain numbers bumped on the hot path;
 * names are built only when the summary is read.
 */
import { bgpMessageTypeName } from '../bgp/message.js';
import type { ParseError } from '../wire/parse-error.js';
import { mrtRecordName } from './mrt-types.js';

/** How many skipped-record errors are kept for the report (all are counted). */
export const KEPT_ERRORS = 20;

export class MrtStats {
  records = 0;
  /** TABLE_DUMP / TABLE_DUMP_V2 RIB entries read. */
  ribEntries = 0;
  /** Route events by kind. */
  ribRoutes = 0;
  announced = 0;
  withdrawn = 0;
  stateChanges = 0;
  /** UPDATEs the collector sent (MESSAGE_LOCAL subtypes); their NLRI are emitted with `sent`. */
  sentUpdates = 0;
  /** Inner BGP messages, and RIB entries' attribute blocks, that did not parse: each skipped. */
  bgpErrors = 0;
  /** Records whose MRT fields did not parse, skipped (only with `damagedRecords: 'skip'`). */
  damagedRecords = 0;
  /** RFC 7606 outcomes: UPDATEs / RIB entries treated as withdrawn, or with an attribute discarded. */
  treatAsWithdraw = 0;
  attributeDiscard = 0;
  /** UPDATEs read with ADD-PATH although their subtype has none (MrtDecoderOptions.guessAddPath). */
  addPathGuessed = 0;
  /** RFC 4724 End-of-RIB markers. */
  endOfRib = 0;
  /** The first KEPT_ERRORS errors of skipped messages, entries and records. */
  readonly errors: ParseError[] = [];

  private readonly byRecord = new Map<number, number>();
  private readonly skippedByRecord = new Map<number, number>();
  private readonly bgpByType = new Map<number, number>();
  private readonly skippedNlriByAfiSafi = new Map<string, number>();

  countRecord(type: number, subtype: number): void {
    this.records++;
    const key = type * 65536 + subtype;
    this.byRecord.set(key, (this.byRecord.get(key) ?? 0) + 1);
  }

  /** A record of a type or subtype the decoder does not read. */
  countSkippedRecord(type: number, subtype: number): void {
    const key = type * 65536 + subtype;
    this.skippedByRecord.set(key, (this.skippedByRecord.get(key) ?? 0) + 1);
  }

  countBgpMessage(type: number): void {
    this.bgpByType.set(type, (this.bgpByType.get(type) ?? 0) + 1);
  }

  /** MP NLRI of an AFI/SAFI rovd does not validate (VPN, flowspec, …). */
  countSkippedNlri(afi: number, safi: number, count: number): void {
    const key = `${afi}/${safi}`;
    this.skippedNlriByAfiSafi.set(key, (this.skippedNlriByAfiSafi.get(key) ?? 0) + count);
  }

  keepError(err: ParseError): void {
    if (this.errors.length < KEPT_ERRORS) this.errors.push(err);
  }

  /** Records read, by `TYPE/SUBTYPE` name. */
  recordsByName(): Record<string, number> {
    return named(this.byRecord);
  }

  /** Records skipped as unknown or unsupported, by name. */
  skippedRecordsByName(): Record<string, number> {
    return named(this.skippedByRecord);
  }

  get skippedRecords(): number {
    let n = 0;
    for (const v of this.skippedByRecord.values()) n += v;
    return n;
  }

  /** BGP messages inside BGP4MP records, by type name (`update`, `keepalive`, …). */
  bgpMessagesByType(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [type, n] of [...this.bgpByType].sort((a, b) => a[0] - b[0])) out[bgpMessageTypeName(type)] = n;
    return out;
  }

  /** Skipped MP NLRI by `afi/safi`. */
  skippedNlri(): Record<string, number> {
    return Object.fromEntries([...this.skippedNlriByAfiSafi].sort());
  }

  toJSON(): object {
    return {
      records: this.records,
      recordsByName: this.recordsByName(),
      skippedRecords: this.skippedRecordsByName(),
      damagedRecords: this.damagedRecords,
      bgpMessages: this.bgpMessagesByType(),
      bgpErrors: this.bgpErrors,
      ribEntries: this.ribEntries,
      routes: { rib: this.ribRoutes, announce: this.announced, withdraw: this.withdrawn },
      stateChanges: this.stateChanges,
      sentUpdates: this.sentUpdates,
      treatAsWithdraw: this.treatAsWithdraw,
      attributeDiscard: this.attributeDiscard,
      endOfRib: this.endOfRib,
      addPathGuessed: this.addPathGuessed,
      skippedNlri: this.skippedNlri(),
      errors: this.errors.map((e) => e.message),
    };
  }
}

function named(counts: Map<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of [...counts].sort((a, b) => a[0] - b[0])) out[mrtRecordName(Math.floor(key / 65536), key % 65536)] = n;
  return out;
}
