/**
 * Validated ASPA payload (draft-ietf-sidrops-aspa-profile): a customer AS and
 * the set of ASes it authorises as its providers.
 *
 * Early drafts (and StayRTR's `provider_authorizations.{ipv4,ipv6}`) gave a
 * provider set per address family; current drafts have one set for both.
 * We keep one set per family so both shapes are held without loss; the
 * current shape fills both with the same set.
 */
import { type Asn, formatAsn } from '../net/asn.js';

export interface Aspa {
  readonly customer: Asn;
  /** Sorted ascending, no duplicates. */
  readonly ipv4Providers: readonly Asn[];
  readonly ipv6Providers: readonly Asn[];
  readonly ta: string;
}

export class AspaError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AspaError';
  }
}

function normalise(providers: readonly Asn[]): readonly Asn[] {
  const sorted = [...new Set(providers)].sort((a, b) => a - b);
  return Object.freeze(sorted);
}

/** One provider set for both families (the current profile). */
export function makeAspa(customer: Asn, providers: readonly Asn[], ta = ''): Aspa {
  const set = normalise(providers);
  return makeAspaPerAfi(customer, set, set, ta);
}

export function makeAspaPerAfi(
  customer: Asn,
  ipv4Providers: readonly Asn[],
  ipv6Providers: readonly Asn[],
  ta = '',
): Aspa {
  const v4 = normalise(ipv4Providers);
  const v6 = normalise(ipv6Providers);
  // draft-ietf-sidrops-aspa-profile §3: the customer must not list itself.
  if (v4.includes(customer) || v6.includes(customer)) {
    throw new AspaError(`ASPA for ${formatAsn(customer)} lists the customer itself as a provider`);
  }
  return Object.freeze({ customer, ipv4Providers: v4, ipv6Providers: v6, ta });
}

/** Same payload: customer and provider sets (trust anchor ignored). */
export function sameAspa(a: Aspa, b: Aspa): boolean {
  return a.customer === b.customer && sameList(a.ipv4Providers, b.ipv4Providers) && sameList(a.ipv6Providers, b.ipv6Providers);
}

function sameList(a: readonly Asn[], b: readonly Asn[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Merges ASPAs for the same customer (from several sources) by union. */
export function mergeAspas(aspas: Iterable<Aspa>): Aspa[] {
  const byCustomer = new Map<number, { v4: Set<Asn>; v6: Set<Asn>; ta: string }>();
  for (const a of aspas) {
    let entry = byCustomer.get(a.customer);
    if (!entry) {
      entry = { v4: new Set(), v6: new Set(), ta: a.ta };
      byCustomer.set(a.customer, entry);
    }
    for (const p of a.ipv4Providers) entry.v4.add(p);
    for (const p of a.ipv6Providers) entry.v6.add(p);
  }
  return [...byCustomer.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([customer, e]) => makeAspaPerAfi(customer as Asn, [...e.v4], [...e.v6], e.ta));
}

/** Routinator's `json` shape (one provider list; the IPv4 one if they differ). */
export function aspaToJson(a: Aspa): { customer: string; providers: string[]; ta: string } {
  return { customer: formatAsn(a.customer), providers: a.ipv4Providers.map(formatAsn), ta: a.ta };
}
