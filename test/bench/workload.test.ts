/**
 * Smoke test of the benchmark's workload generator (bench/workload.ts) on
 * a small workload: determinism, the IPv4/IPv6 split, the prefix-length
 * mixes, the share of maxLength ROAs, and that VrpIndex gives every route
 * the outcome the generator meant (about half valid, ~1% invalid). It also
 * reads the written files back. No timing here: performance targets live
 * in the benchmark (npm run bench:rov).
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { RouteCursor } from '../../src/cli/route-list.js';
import { RovState } from '../../src/rov/validity.js';
import { VrpIndex } from '../../src/rov/vrp-index.js';
import { VrpTable, VrpTableBuilder } from '../../src/rpki/vrp-table.js';
import { parseRpkiBytes } from '../../src/rpki/formats/parse.js';
import { ensureWorkloadFiles, filesAreCurrent } from '../../bench/workload-files.js';
import {
  ROUTE_LENGTH_TARGET,
  TRUST_ANCHORS,
  VRP_LENGTH_TARGET,
  type Workload,
  type WorkloadOptions,
  generateWorkload,
  lengthShares,
  validateRouteAt,
} from '../../bench/workload.js';

const SMALL: WorkloadOptions = { seed: 7, vrps: 20_000, routes: 30_000 };
const w = generateWorkload(SMALL);

function tableOf(work: Workload): VrpTable {
  const b = new VrpTableBuilder();
  const v = work.vrps;
  for (let i = 0; i < v.count; i++) {
    const k = i * 4;
    b.addFields(v.afi[i] === 4 ? 4 : 6, v.words[k]!, v.words[k + 1]!, v.words[k + 2]!, v.words[k + 3]!, v.length[i]!, v.maxLength[i]!, v.asn[i]!, TRUST_ANCHORS[v.ta[i]!]!);
  }
  return b.build();
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

t.test('the same seed gives the same workload, another seed another', async (t) => {
  const again = generateWorkload(SMALL);
  for (const k of ['afi', 'words', 'length', 'maxLength', 'asn', 'ta'] as const) t.ok(sameBytes(w.vrps[k], again.vrps[k]), `vrps.${k}`);
  for (const k of ['afi', 'words', 'length', 'origin', 'intended'] as const) t.ok(sameBytes(w.routes[k], again.routes[k]), `routes.${k}`);
  t.same(again.stats, w.stats);
  const other = generateWorkload({ ...SMALL, seed: 8 });
  t.notOk(sameBytes(w.routes.words, other.routes.words));
});

t.test('sizes and the IPv4/IPv6 split', async (t) => {
  t.equal(w.vrps.count, 20_000);
  t.equal(w.routes.count, 30_000);
  const v4 = (afi: Uint8Array) => afi.reduce((n, a) => n + (a === 4 ? 1 : 0), 0);
  t.equal(v4(w.vrps.afi), 14_000, '70% of VRPs are IPv4');
  t.equal(v4(w.routes.afi), 25_000, '1.0 of every 1.2 routes is IPv4');
  t.equal(w.stats.vrps.ipv4, 14_000);
  t.equal(w.stats.routes.ipv6, 5_000);
});

t.test('prefix-length mixes are near the real-world targets', async (t) => {
  const near = (label: string, lengths: readonly number[], target: Readonly<Record<number, number>>) => {
    const got = lengthShares(lengths, target);
    for (const [l, want] of Object.entries(target)) {
      const share = got[`/${l}`]!;
      t.ok(Math.abs(share - want) <= Math.max(0.02, 0.15 * want), `${label} /${l}: ${share.toFixed(3)} vs ${want}`);
    }
  };
  near('IPv4 routes', w.stats.routes.lengthsV4, ROUTE_LENGTH_TARGET[4]);
  near('IPv6 routes', w.stats.routes.lengthsV6, ROUTE_LENGTH_TARGET[6]);
  near('IPv4 VRPs', w.stats.vrps.lengthsV4, VRP_LENGTH_TARGET[4]);
  near('IPv6 VRPs', w.stats.vrps.lengthsV6, VRP_LENGTH_TARGET[6]);
  t.equal(w.stats.routes.lengthsV4.slice(25).reduce((a, b) => a + b, 0), 0, 'no IPv4 route longer than /24');
  t.equal(w.stats.routes.lengthsV6.slice(49).reduce((a, b) => a + b, 0), 0, 'no IPv6 route longer than /48');
});

t.test('ROA structure: maxLength, AS0, nesting, trust anchors, ASNs', async (t) => {
  const s = w.stats.vrps;
  const above = s.maxLengthAboveLength / w.vrps.count;
  t.ok(above >= 0.1 && above <= 0.15, `maxLength > length for ${above.toFixed(3)} of VRPs`);
  t.ok(s.as0 > 0, 'AS0 ROAs');
  t.ok(s.nestedOtherAs > 0, 'ROAs nested inside another AS');
  for (const ta of TRUST_ANCHORS) t.ok(s.byTa[ta] > 0, `VRPs under ${ta}`);
  t.ok(w.stats.routes.distinctOrigins > 5_000, 'many origin ASes');
  for (let i = 0; i < w.vrps.count; i++) {
    const max = w.vrps.afi[i] === 4 ? 32 : 128;
    if (w.vrps.maxLength[i]! < w.vrps.length[i]! || w.vrps.maxLength[i]! > max) {
      t.fail(`VRP ${i} has maxLength out of range`);
      break;
    }
  }
});

t.test('VrpIndex gives every route the intended outcome: ~half valid, ~1% invalid', async (t) => {
  const table = tableOf(w);
  t.equal(table.size, w.vrps.count, 'no duplicate VRPs');
  const index = VrpIndex.build(table);
  const r = w.routes;
  const counts = [0, 0, 0];
  let differ = 0;
  for (let i = 0; i < r.count; i++) {
    const state = validateRouteAt(index, r, i);
    counts[state]!++;
    if (state !== r.intended[i]) differ++;
  }
  t.equal(differ, 0, 'index and generator agree on every route');
  const valid = counts[RovState.Valid]! / r.count;
  const invalid = counts[RovState.Invalid]! / r.count;
  t.ok(valid > 0.44 && valid < 0.56, `valid ${valid.toFixed(3)}`);
  t.ok(invalid > 0.004 && invalid < 0.02, `invalid ${invalid.toFixed(4)}`);
  const i = w.stats.routes.intended;
  t.same([i.notFound, i.valid, i.invalid], counts, 'the reported mix is the real one');
  t.equal(w.stats.routes.invalidBecause.as + w.stats.routes.invalidBecause.length, i.invalid);
  t.ok(w.stats.routes.invalidBecause.length > 0 && w.stats.routes.invalidBecause.as > 0, 'both kinds of invalid');
});

t.test('files: Routinator json and prefix,asn lines that read back the same', async (t) => {
  const dir = t.testdir();
  const files = ensureWorkloadFiles(dir, w);
  t.ok(files.written);
  t.ok(filesAreCurrent(dir, w));
  t.notOk(filesAreCurrent(dir, generateWorkload({ ...SMALL, routes: 1000 })), 'another workload needs new files');
  t.notOk(ensureWorkloadFiles(dir, w).written, 'up-to-date files are reused');
  const manifest = JSON.parse(readFileSync(files.manifestPath, 'utf8')) as Record<string, unknown>;
  t.match(manifest, { version: Number, seed: 7, vrps: 20_000, routes: 30_000, fingerprint: /^[0-9a-f]{64}$/ });
  writeFileSync(files.manifestPath, JSON.stringify({ ...manifest, version: 0 }));
  t.notOk(filesAreCurrent(dir, w), 'files of another generator version are regenerated');
  t.ok(ensureWorkloadFiles(dir, w).written);

  const root = JSON.parse(readFileSync(files.vrpsPath, 'utf8')) as { roas: unknown[] };
  t.match(root, { metadata: { generated: Number, generatedTime: String } });
  t.equal(root.roas.length, w.vrps.count);
  t.match(root.roas[0], { asn: /^AS\d+$/, prefix: String, maxLength: Number, ta: String });
  const parsed = parseRpkiBytes(readFileSync(files.vrpsPath), files.vrpsPath);
  t.equal(parsed.format, 'routinator-json');
  t.same(parsed.generatedAt, new Date('2025-01-01T00:00:00Z'));
  t.ok(parsed.payload.vrps.equals(tableOf(w)), "rovd's parser reads back exactly the generated VRPs");

  const text = readFileSync(files.routesPath, 'utf8');
  t.match(text, /^[0-9a-f.:]+\/\d+,AS\d+$/m, 'some ASNs written AS65000');
  t.match(text, /^[0-9a-f.:]+\/\d+,\d+$/m, 'some written 65000');
  const c = new RouteCursor(text, files.routesPath);
  let n = 0;
  let differ = 0;
  const r = w.routes;
  while (c.next()) {
    const b = n * 4;
    const same =
      c.afi === r.afi[n] && c.length === r.length[n] && c.origin === r.origin[n] &&
      c.w0 === r.words[b] && c.w1 === r.words[b + 1] && c.w2 === r.words[b + 2] && c.w3 === r.words[b + 3];
    if (!same) differ++;
    n++;
  }
  t.equal(n, r.count);
  t.equal(differ, 0, 'every line is the generated route');

  writeFileSync(files.routesPath, 'changed\n');
  t.notOk(filesAreCurrent(dir, w), 'a file of another size is regenerated');
  t.ok(ensureWorkloadFiles(dir, w).written);
});
