/**
 * Everything RPKI relying-party software exports that rovd uses: VRPs for
 * origin validation, ASPAs for path verification, router keys (kept and
 * counted only). A payload is immutable; sources, SLURM and the union of
 * sources each produce a new one.
 */
import { type Aspa, mergeAspas, sameAspa } from './aspa.js';
import { type RouterKey, sameRouterKey } from './router-key.js';
import { VrpTable } from './vrp-table.js';

export interface RpkiPayload {
  readonly vrps: VrpTable;
  /** One entry per customer AS, sorted by customer. */
  readonly aspas: readonly Aspa[];
  readonly routerKeys: readonly RouterKey[];
}

export const EMPTY_PAYLOAD: RpkiPayload = Object.freeze({
  vrps: VrpTable.EMPTY,
  aspas: Object.freeze([]),
  routerKeys: Object.freeze([]),
});

export function makePayload(vrps: VrpTable, aspas: Iterable<Aspa> = [], routerKeys: Iterable<RouterKey> = []): RpkiPayload {
  return Object.freeze({
    vrps,
    aspas: Object.freeze(mergeAspas(aspas)),
    routerKeys: Object.freeze(uniqueKeys(routerKeys)),
  });
}

/**
 * A payload whose VRP table is produced on first read: an RTR update's
 * table is a merge of 12 MB for a full set, and what needs the update at
 * once (the validator, given the delta) does not need the table.
 */
export function makeLazyPayload(vrps: () => VrpTable, aspas: Iterable<Aspa> = [], routerKeys: Iterable<RouterKey> = []): RpkiPayload {
  return Object.freeze({
    get vrps(): VrpTable {
      return vrps();
    },
    aspas: Object.freeze(mergeAspas(aspas)),
    routerKeys: Object.freeze(uniqueKeys(routerKeys)),
  });
}

/** The union of several payloads: what several configured sources mean together. */
export function unionPayloads(payloads: readonly RpkiPayload[]): RpkiPayload {
  if (payloads.length === 0) return EMPTY_PAYLOAD;
  if (payloads.length === 1) return payloads[0]!;
  return makePayload(
    VrpTable.union(payloads.map((p) => p.vrps)),
    payloads.flatMap((p) => p.aspas),
    payloads.flatMap((p) => p.routerKeys),
  );
}

/** Same VRPs, ASPAs and router keys (trust anchors ignored). */
export function samePayload(a: RpkiPayload, b: RpkiPayload): boolean {
  return (
    a.vrps.equals(b.vrps) &&
    a.aspas.length === b.aspas.length &&
    a.aspas.every((x, i) => sameAspa(x, b.aspas[i]!)) &&
    a.routerKeys.length === b.routerKeys.length &&
    a.routerKeys.every((k) => b.routerKeys.some((o) => sameRouterKey(k, o)))
  );
}

function uniqueKeys(keys: Iterable<RouterKey>): RouterKey[] {
  const seen = new Map<string, RouterKey>();
  for (const k of keys) {
    const id = `${k.asn}|${k.ski}|${k.publicKey}`;
    if (!seen.has(id)) seen.set(id, k);
  }
  return [...seen.values()].sort((a, b) => a.asn - b.asn || (a.ski < b.ski ? -1 : a.ski > b.ski ? 1 : 0));
}
