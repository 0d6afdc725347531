/**
 * Applying SLURM files to a payload (RFC 8416 §4; ASPA per
 * draft-ietf-sidrops-aspa-slurm §3).
 *
 * §4.1 order: filters act on the RP's validated output first, then the
 * assertions are added, so an assertion survives a filter that covers it.
 * A prefix filter removes a VRP whose prefix it covers (equal counts) and,
 * if it names one, whose ASN matches; a BGPsec filter removes keys by ASN
 * and/or SKI; an ASPA filter removes the customer's ASPA. An ASPA
 * assertion for a customer that is still present is merged with it (the
 * draft: assertions are added, "excluding duplicates", and are no filter).
 *
 * §4.2: several files are allowed only if they do not overlap, i.e. no IP
 * address lies inside prefixes (filter or assertion) of two files and no
 * ASN appears in the BGPsec filters or assertions of two files, since
 * their combined effect would depend on order. The RFC does not let such
 * files be used, so applySlurms refuses them with an error naming both
 * entries. Overlap inside one file is legitimate (filter a route, assert
 * its replacement) and is not checked. The ASPA draft says nothing on
 * overlap; we apply the BGPsec rule to customer ASNs, for the same reason.
 */
import type { Asn } from '../net/asn.js';
import { type Afi, Prefix, wordMask } from '../net/prefix.js';
import { type Aspa, makeAspa } from './aspa.js';
import { RpkiFormatError } from './formats/rpki-file.js';
import { type RpkiPayload, makePayload } from './payload.js';
import { type RouterKey, makeRouterKey } from './router-key.js';
import type { PrefixFilter, Slurm } from './slurm.js';
import { type VrpColumns, type VrpTable, VrpTableBuilder } from './vrp-table.js';

export function applySlurm(payload: RpkiPayload, slurm: Slurm): RpkiPayload {
  return applySlurms(payload, [slurm]);
}

export function applySlurms(payload: RpkiPayload, slurms: readonly Slurm[]): RpkiPayload {
  if (slurms.length === 0) return payload;
  checkOverlaps(slurms);
  const prefixFilters = slurms.flatMap((s) => s.prefixFilters);
  const bgpsecFilters = slurms.flatMap((s) => s.bgpsecFilters);
  const aspaFilters = new Set<number>(slurms.flatMap((s) => s.aspaFilters.map((f) => f.customerAsn)));

  const keys: RouterKey[] = payload.routerKeys.filter(
    (k) => !bgpsecFilters.some((f) => (f.asn === undefined || f.asn === k.asn) && (f.ski === undefined || f.ski === k.ski)),
  );
  const aspas: Aspa[] = payload.aspas.filter((a) => !aspaFilters.has(a.customer));
  for (const s of slurms) {
    for (const a of s.bgpsecAssertions) keys.push(makeRouterKey(a.asn, a.ski, a.routerPublicKey));
    for (const a of s.aspaAssertions) aspas.push(makeAspa(a.customerAsn, a.providerAsns));
  }
  return makePayload(filterVrps(payload.vrps, prefixFilters, slurms), aspas, keys);
}

function filterVrps(vrps: VrpTable, filters: readonly PrefixFilter[], slurms: readonly Slurm[]): VrpTable {
  const assertions = slurms.flatMap((s) => s.prefixAssertions);
  if (filters.length === 0 && assertions.length === 0) return vrps;
  const builder = new VrpTableBuilder();
  for (const afi of [4, 6] as const) {
    const c = vrps.columns(afi);
    // Filters of the other family can only match by ASN alone.
    const relevant = filters.filter((f) => f.prefix === undefined || f.prefix.afi === afi);
    for (let i = 0; i < c.count; i++) {
      if (!relevant.some((f) => filterMatches(f, afi, c, i))) builder.addRow(c, i, vrps.tas);
    }
  }
  for (const a of assertions) {
    const p = a.prefix;
    builder.addFields(p.afi, p.w0, p.w1, p.w2, p.w3, p.length, a.maxPrefixLength ?? p.length, a.asn, '');
  }
  return builder.build();
}

/** RFC 8416 §3.3.1: the VRP's prefix is covered by the filter's, and the ASN matches if given. */
function filterMatches(f: PrefixFilter, afi: Afi, c: VrpColumns, i: number): boolean {
  if (f.asn !== undefined && c.asn[i] !== f.asn) return false;
  const p = f.prefix;
  if (p === undefined) return true;
  if (p.afi !== afi || c.length[i]! < p.length) return false;
  const base = i * c.stride;
  for (let k = 0; k < c.stride; k++) {
    if ((((c.words[base + k]! ^ p.word(k)) & wordMask(p.length, k)) >>> 0) !== 0) return false;
  }
  return true;
}

interface Claim {
  readonly file: number;
  readonly path: string;
  /** What the entry claims, e.g. `prefix 192.0.2.0/24`. */
  readonly label: string;
}

/** RFC 8416 §4.2 across files (see the file comment). */
function checkOverlaps(slurms: readonly Slurm[]): void {
  if (slurms.length < 2) return;
  // Blames the file given later, naming the entry of the earlier one.
  const conflict = (x: Claim, y: Claim): never => {
    const [a, b] = x.file > y.file ? [x, y] : [y, x];
    throw new RpkiFormatError(
      slurms[a.file]!.source,
      a.path,
      `${a.label} overlaps ${b.label} at ${b.path} of ${slurms[b.file]!.source}; RFC 8416 §4.2 forbids overlapping SLURM files`,
    );
  };

  // Prefixes: sorted by address then length (Prefix.compare), a prefix
  // comes after every prefix that covers it, and those form a chain kept
  // on a stack.
  const prefixes: (Claim & { prefix: Prefix })[] = [];
  const addPrefix = (file: number, path: string, prefix: Prefix) =>
    prefixes.push({ file, path, prefix, label: `prefix ${prefix.toString()}` });
  slurms.forEach((s, file) => {
    s.prefixFilters.forEach((f, i) => {
      if (f.prefix) addPrefix(file, `validationOutputFilters.prefixFilters[${i}]`, f.prefix);
    });
    s.prefixAssertions.forEach((a, i) => addPrefix(file, `locallyAddedAssertions.prefixAssertions[${i}]`, a.prefix));
  });
  prefixes.sort((x, y) => Prefix.compare(x.prefix, y.prefix) || x.file - y.file);
  const chain: Claim[] = [];
  const chainPrefixes: Prefix[] = [];
  for (const entry of prefixes) {
    while (chainPrefixes.length > 0 && !chainPrefixes[chainPrefixes.length - 1]!.covers(entry.prefix)) {
      chain.pop();
      chainPrefixes.pop();
    }
    const other = chain.find((c) => c.file !== entry.file);
    if (other) conflict(entry, other);
    chain.push(entry);
    chainPrefixes.push(entry.prefix);
  }

  checkAsns(slurms, conflict, 'BGPsec ASN', (s) => [
    ...s.bgpsecFilters.map((f, i) => [f.asn, `validationOutputFilters.bgpsecFilters[${i}]`] as const),
    ...s.bgpsecAssertions.map((a, i) => [a.asn, `locallyAddedAssertions.bgpsecAssertions[${i}]`] as const),
  ]);
  checkAsns(slurms, conflict, 'ASPA customer', (s) => [
    ...s.aspaFilters.map((f, i) => [f.customerAsn, `validationOutputFilters.aspaFilters[${i}]`] as const),
    ...s.aspaAssertions.map((a, i) => [a.customerAsn, `locallyAddedAssertions.aspaAssertions[${i}]`] as const),
  ]);
}

function checkAsns(
  slurms: readonly Slurm[],
  conflict: (x: Claim, y: Claim) => never,
  what: string,
  uses: (s: Slurm) => (readonly [Asn | undefined, string])[],
): void {
  const seen = new Map<number, Claim>();
  slurms.forEach((s, file) => {
    for (const [asn, path] of uses(s)) {
      if (asn === undefined) continue;
      const claim = { file, path, label: `${what} AS${asn}` };
      const earlier = seen.get(asn);
      if (earlier && earlier.file !== file) conflict(claim, earlier);
      if (!earlier) seen.set(asn, claim);
    }
  });
}
