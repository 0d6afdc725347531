/**
 * What one RTR cache has given us, changed one transaction at a time.
 *
 * RFC 8210 §5.1/§8: everything between Cache Response and End of Data is
 * one update; a router applies it whole or not at all, so a session that
 * breaks mid-update leaves the previous data in force. A Reset Query's
 * answer replaces the whole set; a Serial Query's answer is a list of
 * announcements and withdrawals against it.
 *
 * The errors are the RFC's: an announcement of a record already held is
 * "Duplicate Announcement Received" (code 7) and a withdrawal of one not
 * held is "Withdrawal of Unknown Record" (code 6) (RFC 8210 §5.6, §12).
 * Identity is the full tuple: {prefix, max length, origin AS} for VRPs,
 * {SKI, AS, SPKI} for router keys (§5.10), the customer AS for ASPAs
 * (draft-ietf-sidrops-8210bis §5.12: an announcement for a customer already
 * held replaces its provider set).
 *
 * A full sync of ~800k VRPs must not go through a hash table of strings
 * (that alone is ~100 MB): reset transactions feed a VrpTableBuilder and
 * find repeats while sorting. Incremental transactions are small and keep
 * their net changes in a map, checked against the held set by binary search.
 * Their added and removed sets are put in table order by a comparison sort
 * when small (see SMALL_UPDATE): VrpTableBuilder's radix sort costs 1-3 ms
 * per build however few rows it sorts, which was most of a 1,000-VRP commit.
 */
import { type Asn, formatAsn } from '../net/asn.js';
import { type Afi, Prefix } from '../net/prefix.js';
import { type Aspa, makeAspaPerAfi } from '../rpki/aspa.js';
import { type RpkiPayload, makeLazyPayload } from '../rpki/payload.js';
import { type RouterKey, makeRouterKey } from '../rpki/router-key.js';
import { type Vrp, formatVrp, makeVrp } from '../rpki/vrp.js';
import { type VrpColumns, VrpTable, VrpTableBuilder } from '../rpki/vrp-table.js';

/** RFC 8210 §12 codes a transaction can raise. */
export const TransactionErrorCode = {
  WithdrawalOfUnknownRecord: 6,
  DuplicateAnnouncementReceived: 7,
} as const;
export type TransactionErrorCode = (typeof TransactionErrorCode)[keyof typeof TransactionErrorCode];

export class RtrTransactionError extends Error {
  constructor(
    readonly code: TransactionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RtrTransactionError';
  }
}

export interface CommittedUpdate {
  readonly data: RtrCacheData;
  /** VRPs that appeared and disappeared with this update. */
  readonly added: VrpTable;
  readonly removed: VrpTable;
}

/** An incremental update's VRPs before they are merged into one table. */
interface PendingMerge {
  readonly base: VrpTable;
  readonly added: VrpTable;
  readonly removed: VrpTable;
}

/**
 * The cache's data as the client holds it: immutable.
 *
 * After an incremental update the VRP table is merged on first read, not
 * in commit: merging a few hundred changes into 800k VRPs copies 12.5 MB
 * (4-8 ms, and as much again for the collector), and the update is usable
 * without it: the validator takes the delta (VrpIndex.withChanges), and
 * the next transaction's checks read the table. The session calls settle()
 * once the update has been handed out, so the merge runs in idle time.
 */
export class RtrCacheData {
  private merged: VrpTable | undefined;
  private pendingMerge: PendingMerge | undefined;
  private payload: RpkiPayload | undefined;

  private constructor(
    vrps: VrpTable | PendingMerge,
    /** By customer AS. */
    readonly aspas: ReadonlyMap<number, Aspa>,
    /** By `asn|ski|spki`. */
    readonly routerKeys: ReadonlyMap<string, RouterKey>,
  ) {
    if (vrps instanceof VrpTable) this.merged = vrps;
    else this.pendingMerge = vrps;
  }

  static readonly EMPTY = new RtrCacheData(VrpTable.EMPTY, new Map(), new Map());

  /** @internal built by a transaction's commit */
  static of(vrps: VrpTable | PendingMerge, aspas: ReadonlyMap<number, Aspa>, routerKeys: ReadonlyMap<string, RouterKey>): RtrCacheData {
    return new RtrCacheData(vrps, aspas, routerKeys);
  }

  get vrps(): VrpTable {
    if (this.merged === undefined) {
      const p = this.pendingMerge!;
      this.merged = p.base.withChanges(p.added, p.removed);
      this.pendingMerge = undefined;
    }
    return this.merged;
  }

  /** VRP counts per family, without merging a pending update. */
  vrpStats(): { ipv4: number; ipv6: number } {
    const p = this.pendingMerge;
    if (p === undefined) return this.merged!.stats();
    const [b, a, r] = [p.base.stats(), p.added.stats(), p.removed.stats()];
    return { ipv4: b.ipv4 + a.ipv4 - r.ipv4, ipv6: b.ipv6 + a.ipv6 - r.ipv6 };
  }

  /** Merges a pending update's table now. */
  settle(): void {
    void this.vrps;
  }

  /** A transaction on this data; `reset` for the answer to a Reset Query. */
  begin(reset: boolean): RtrTransaction {
    return reset ? new ResetTransaction() : new IncrementalTransaction(this);
  }

  /** The data as a payload; its VRP table is read (and merged) only when used. */
  toPayload(): RpkiPayload {
    return (this.payload ??= makeLazyPayload(() => this.vrps, this.aspas.values(), this.routerKeys.values()));
  }
}

/** The announcements and withdrawals of one Cache Response … End of Data. */
export interface RtrTransaction {
  vrp(announce: boolean, afi: Afi, w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number): void;
  routerKey(announce: boolean, asn: Asn, skiHex: string, spkiBase64: string): void;
  aspa(announce: boolean, customer: Asn, providers: readonly Asn[]): void;
  /** Applies the whole update; throws RtrTransactionError. */
  commit(): CommittedUpdate;
}

function vrpOf(afi: Afi, w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number): Vrp {
  return makeVrp(Prefix.fromWords(afi, length, w0, w1, w2, w3), maxLength, asn as Asn);
}

function keyId(asn: Asn, ski: string, spki: string): string {
  return `${asn}|${ski.toLowerCase()}|${spki}`;
}

/** A whole new set: announcements only (RFC 8210 §8.1, after Reset Query). */
class ResetTransaction implements RtrTransaction {
  private readonly builder = new VrpTableBuilder();
  private readonly aspas = new Map<number, Aspa>();
  private readonly keys = new Map<string, RouterKey>();

  vrp(announce: boolean, afi: Afi, w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number): void {
    if (!announce) {
      throw new RtrTransactionError(
        TransactionErrorCode.WithdrawalOfUnknownRecord,
        `withdrawal of ${formatVrp(vrpOf(afi, w0, w1, w2, w3, length, maxLength, asn))} in a reset, where nothing is held`,
      );
    }
    this.builder.addFields(afi, w0, w1, w2, w3, length, maxLength, asn, '');
  }

  routerKey(announce: boolean, asn: Asn, skiHex: string, spkiBase64: string): void {
    const id = keyId(asn, skiHex, spkiBase64);
    if (!announce) {
      throw new RtrTransactionError(TransactionErrorCode.WithdrawalOfUnknownRecord, `withdrawal of router key ${id} in a reset`);
    }
    if (this.keys.has(id)) {
      throw new RtrTransactionError(TransactionErrorCode.DuplicateAnnouncementReceived, `router key ${id} announced twice`);
    }
    this.keys.set(id, makeRouterKey(asn, skiHex, spkiBase64));
  }

  aspa(announce: boolean, customer: Asn, providers: readonly Asn[]): void {
    if (!announce) {
      throw new RtrTransactionError(TransactionErrorCode.WithdrawalOfUnknownRecord, `withdrawal of the ASPA of ${formatAsn(customer)} in a reset`);
    }
    if (this.aspas.has(customer)) {
      throw new RtrTransactionError(TransactionErrorCode.DuplicateAnnouncementReceived, `ASPA of ${formatAsn(customer)} announced twice`);
    }
    this.aspas.set(customer, makeAspaPerAfi(customer, providers, providers));
  }

  commit(): CommittedUpdate {
    let duplicate: Vrp | undefined;
    const vrps = this.builder.build((v) => (duplicate ??= v));
    if (duplicate !== undefined) {
      throw new RtrTransactionError(TransactionErrorCode.DuplicateAnnouncementReceived, `${formatVrp(duplicate)} announced twice`);
    }
    return { data: RtrCacheData.of(vrps, this.aspas, this.keys), added: vrps, removed: VrpTable.EMPTY };
  }
}

/**
 * Incremental updates with at most this many VRPs added (or removed) are
 * ordered by a comparison sort; larger ones by VrpTableBuilder, whose radix
 * sort has a fixed cost (3 x 65,536 counters a pass) that only pays off on
 * large sets.
 */
const SMALL_UPDATE = 4096;

/** One VRP's net change in an incremental transaction, as fields (host bits zero, words unsigned). */
interface VrpChange {
  readonly announce: boolean;
  readonly afi: Afi;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly length: number;
  readonly maxLength: number;
  readonly asn: number;
}

/** Changes against the held data (RFC 8210 §8.2, after Serial Query). */
class IncrementalTransaction implements RtrTransaction {
  /** Net change per VRP key. */
  private readonly vrpChanges = new Map<string, VrpChange>();
  private readonly aspas: Map<number, Aspa>;
  private readonly keys: Map<string, RouterKey>;
  /** One-row columns for the binary search of held(), refilled for each VRP. */
  private readonly probe4 = probeColumns(4);
  private readonly probe6 = probeColumns(6);

  constructor(private readonly base: RtrCacheData) {
    this.aspas = new Map(base.aspas);
    this.keys = new Map(base.routerKeys);
  }

  vrp(announce: boolean, afi: Afi, w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number): void {
    const key = `${afi}|${w0}|${w1}|${w2}|${w3}|${length}|${maxLength}|${asn}`;
    const pending = this.vrpChanges.get(key);
    // Held now = held before, adjusted by what this transaction already did.
    const heldBefore = pending === undefined ? this.held(afi, w0, w1, w2, w3, length, maxLength, asn) : !pending.announce;
    const heldNow = pending === undefined ? heldBefore : pending.announce;
    if (announce && heldNow) {
      throw new RtrTransactionError(TransactionErrorCode.DuplicateAnnouncementReceived, `${formatVrp(vrpOf(afi, w0, w1, w2, w3, length, maxLength, asn))} is already held`);
    }
    if (!announce && !heldNow) {
      throw new RtrTransactionError(TransactionErrorCode.WithdrawalOfUnknownRecord, `${formatVrp(vrpOf(afi, w0, w1, w2, w3, length, maxLength, asn))} is not held`);
    }
    // Back to the starting state (withdrawn then announced again, or the
    // reverse) is no change at all.
    if (announce === heldBefore) {
      this.vrpChanges.delete(key);
    } else {
      // A new entry is checked as a VRP (Prefix.fromWords, makeVrp) before
      // it is kept: a decoded PDU always passes, a direct caller may not.
      if (pending === undefined) vrpOf(afi, w0, w1, w2, w3, length, maxLength, asn);
      this.vrpChanges.set(key, { announce, afi, w0: w0 >>> 0, w1: w1 >>> 0, w2: w2 >>> 0, w3: w3 >>> 0, length, maxLength, asn: asn >>> 0 });
    }
  }

  routerKey(announce: boolean, asn: Asn, skiHex: string, spkiBase64: string): void {
    const id = keyId(asn, skiHex, spkiBase64);
    if (announce) {
      if (this.keys.has(id)) {
        throw new RtrTransactionError(TransactionErrorCode.DuplicateAnnouncementReceived, `router key ${id} is already held`);
      }
      this.keys.set(id, makeRouterKey(asn, skiHex, spkiBase64));
    } else if (!this.keys.delete(id)) {
      throw new RtrTransactionError(TransactionErrorCode.WithdrawalOfUnknownRecord, `router key ${id} is not held`);
    }
  }

  aspa(announce: boolean, customer: Asn, providers: readonly Asn[]): void {
    if (announce) {
      this.aspas.set(customer, makeAspaPerAfi(customer, providers, providers));
    } else if (!this.aspas.delete(customer)) {
      throw new RtrTransactionError(TransactionErrorCode.WithdrawalOfUnknownRecord, `no ASPA is held for ${formatAsn(customer)}`);
    }
  }

  commit(): CommittedUpdate {
    const added: VrpChange[] = [];
    const removed: VrpChange[] = [];
    for (const change of this.vrpChanges.values()) (change.announce ? added : removed).push(change);
    const addedTable = changeTable(added);
    const removedTable = changeTable(removed);
    const base = this.base.vrps;
    return { data: RtrCacheData.of({ base, added: addedTable, removed: removedTable }, this.aspas, this.keys), added: addedTable, removed: removedTable };
  }

  private held(afi: Afi, w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number): boolean {
    const probe = afi === 4 ? this.probe4 : this.probe6;
    probe.words[0] = w0;
    if (afi === 6) {
      probe.words[1] = w1;
      probe.words[2] = w2;
      probe.words[3] = w3;
    }
    probe.length[0] = length;
    probe.maxLength[0] = maxLength;
    probe.asn[0] = asn;
    return this.base.vrps.indexOfRow(probe, 0) >= 0;
  }
}

/** One row of columns of a family, to search a table with indexOfRow. */
function probeColumns(afi: Afi): VrpColumns {
  const stride = afi === 4 ? 1 : 4;
  return {
    afi,
    stride,
    count: 1,
    words: new Uint32Array(stride),
    length: new Uint8Array(1),
    maxLength: new Uint8Array(1),
    asn: new Uint32Array(1),
    ta: new Uint16Array(1),
  };
}

/**
 * The changes (distinct: they are keyed by the full tuple) as a VrpTable.
 * Small sets are sorted here with a comparator in the table's order
 * (address words, length, ASN, maxLength; see vrp-table.ts), large ones by
 * VrpTableBuilder; both give the same table.
 */
function changeTable(changes: VrpChange[]): VrpTable {
  if (changes.length === 0) return VrpTable.EMPTY;
  if (changes.length > SMALL_UPDATE) {
    const b = new VrpTableBuilder();
    for (const c of changes) b.addFields(c.afi, c.w0, c.w1, c.w2, c.w3, c.length, c.maxLength, c.asn, '');
    return b.build();
  }
  changes.sort(compareChanges);
  const v4 = changes.filter((c) => c.afi === 4);
  const v6 = changes.filter((c) => c.afi === 6);
  return new VrpTable(changeColumns(4, v4), changeColumns(6, v6), Object.freeze(['']));
}

function compareChanges(a: VrpChange, b: VrpChange): number {
  return a.w0 - b.w0 || a.w1 - b.w1 || a.w2 - b.w2 || a.w3 - b.w3 || a.length - b.length || a.asn - b.asn || a.maxLength - b.maxLength;
}

/** Sorted changes of one family as columns (trust anchor 0, the empty name). */
function changeColumns(afi: Afi, sorted: readonly VrpChange[]): VrpColumns {
  const stride = afi === 4 ? 1 : 4;
  const n = sorted.length;
  const words = new Uint32Array(n * stride);
  const length = new Uint8Array(n);
  const maxLength = new Uint8Array(n);
  const asn = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = sorted[i]!;
    words[i * stride] = c.w0;
    if (stride === 4) {
      words[i * 4 + 1] = c.w1;
      words[i * 4 + 2] = c.w2;
      words[i * 4 + 3] = c.w3;
    }
    length[i] = c.length;
    maxLength[i] = c.maxLength;
    asn[i] = c.asn;
  }
  return { afi, stride, count: n, words, length, maxLength, asn, ta: new Uint16Array(n) };
}
