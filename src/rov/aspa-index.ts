/**
 * Lookup table for the provider authorization function of
 * draft-ietf-sidrops-aspa-verification-28 §5.3, `authorized(AS x, AS y)`:
 *
 * - "No Attestation" if there is no ASPA for customer x;
 * - "Provider+" if y is in the union of x's provider sets (U-SPAS, §5.3);
 * - "Not Provider+" otherwise.
 *
 * Layout: customers as a sorted Uint32Array, and per address family the
 * providers of every customer concatenated into one sorted-per-row
 * Uint32Array with row offsets (a CSR matrix). A hop is two binary searches
 * and allocates nothing; 100k ASPAs take a few hundred kilobytes instead of
 * 100k Sets.
 */
import { type Asn, AS0, MAX_ASN, formatAsn } from '../net/asn.js';
import type { Afi } from '../net/prefix.js';
import { type Aspa, AspaError } from '../rpki/aspa.js';

/** The three answers of `authorized()` (draft -28 §5.3), spelt for logs and JSON. */
export type AspaHop = 'provider' | 'not-provider' | 'no-attestation';

interface Row {
  customer: Asn;
  v4: Set<Asn>;
  v6: Set<Asn>;
}

export class AspaIndex {
  static readonly EMPTY: AspaIndex = new AspaIndex(new Uint32Array(0), new Uint32Array(1), new Uint32Array(0), new Uint32Array(1), new Uint32Array(0));

  private constructor(
    private readonly customers: Uint32Array,
    private readonly v4Offsets: Uint32Array,
    private readonly v4Providers: Uint32Array,
    private readonly v6Offsets: Uint32Array,
    private readonly v6Providers: Uint32Array,
  ) {
    Object.freeze(this);
  }

  /**
   * Builds the index. Several ASPAs for one customer are merged by union, as
   * the draft's U-SPAS requires (sources are not always merged upstream).
   *
   * AS 0 is dropped from provider sets: an AS0 ASPA says the customer has no
   * providers, and the draft (§4) says an AS 0 next to real providers has no
   * influence on verification. The customer stays attested either way, so
   * every claimed provider of it is "Not Provider+".
   *
   * An ASPA whose set for one family is empty (the old per-AFI profile) still
   * attests the customer in that family: its providers there are none.
   */
  static from(aspas: readonly Aspa[]): AspaIndex {
    if (aspas.length === 0) return AspaIndex.EMPTY;
    const rows = new Map<number, Row>();
    for (const a of aspas) {
      checkAsn(a.customer, 'customer');
      let row = rows.get(a.customer);
      if (!row) {
        row = { customer: a.customer, v4: new Set(), v6: new Set() };
        rows.set(a.customer, row);
      }
      addProviders(row.v4, a.ipv4Providers, a.customer);
      addProviders(row.v6, a.ipv6Providers, a.customer);
    }
    const sorted = [...rows.values()].sort((x, y) => x.customer - y.customer);
    const customers = new Uint32Array(sorted.length);
    sorted.forEach((r, i) => (customers[i] = r.customer));
    const [v4Offsets, v4Providers] = csr(sorted.map((r) => r.v4));
    const [v6Offsets, v6Providers] = csr(sorted.map((r) => r.v6));
    return new AspaIndex(customers, v4Offsets, v4Providers, v6Offsets, v6Providers);
  }

  /** Number of customer ASes with an attestation. */
  get size(): number {
    return this.customers.length;
  }

  /** Whether `customer` has an ASPA (in either family). */
  hasAttestation(customer: Asn): boolean {
    return this.row(customer) >= 0;
  }

  /** `authorized(customer, provider)` for one address family (draft -28 §5.3). */
  hop(customer: Asn, provider: Asn, afi: Afi): AspaHop {
    const row = this.row(customer);
    if (row < 0) return 'no-attestation';
    const offsets = afi === 4 ? this.v4Offsets : this.v6Offsets;
    const providers = afi === 4 ? this.v4Providers : this.v6Providers;
    let lo = offsets[row]!;
    let hi = offsets[row + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = providers[mid]!;
      if (p === provider) return 'provider';
      if (p < provider) lo = mid + 1;
      else hi = mid - 1;
    }
    return 'not-provider';
  }

  /** The attested providers of `customer` in one family, or null without an ASPA (for logs and APIs). */
  providersOf(customer: Asn, afi: Afi): readonly Asn[] | null {
    const row = this.row(customer);
    if (row < 0) return null;
    const offsets = afi === 4 ? this.v4Offsets : this.v6Offsets;
    const providers = afi === 4 ? this.v4Providers : this.v6Providers;
    return Object.freeze(Array.from(providers.subarray(offsets[row]!, offsets[row + 1]!)) as Asn[]);
  }

  private row(customer: number): number {
    const c = this.customers;
    let lo = 0;
    let hi = c.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = c[mid]!;
      if (v === customer) return mid;
      if (v < customer) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

function addProviders(into: Set<Asn>, providers: readonly Asn[], customer: Asn): void {
  for (const p of providers) {
    checkAsn(p, `provider of ${formatAsn(customer)}`);
    if (p !== AS0) into.add(p);
  }
}

// A Uint32Array would silently wrap a negative or fractional value into some
// other AS; an Aspa built outside makeAspa() must not turn into a wrong answer.
function checkAsn(value: number, role: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_ASN) {
    throw new AspaError(`ASPA ${role} ${String(value)} is not an ASN`);
  }
}

function csr(sets: readonly Set<Asn>[]): [Uint32Array, Uint32Array] {
  const offsets = new Uint32Array(sets.length + 1);
  let total = 0;
  sets.forEach((s, i) => {
    offsets[i] = total;
    total += s.size;
  });
  offsets[sets.length] = total;
  const values = new Uint32Array(total);
  sets.forEach((s, i) => {
    const row = values.subarray(offsets[i]!, offsets[i + 1]!);
    let j = 0;
    for (const p of s) row[j++] = p;
    row.sort();
  });
  return [offsets, values];
}
