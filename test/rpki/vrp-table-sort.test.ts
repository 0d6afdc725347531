/**
 * VrpTableBuilder.build(): the radix sort and dedup against a plain
 * comparator sort on random rows, with repeats that differ only in trust
 * anchor (the first added must win), shared prefixes with several ASNs and
 * maxLengths (the runs the insertion sort orders), and words that are the
 * same in every row (the passes that are skipped).
 */
import t from 'tap';
import { VrpTableBuilder } from '../../src/rpki/vrp-table.js';
import { randomInt, seededRandom } from '../helpers/random.js';

interface Row {
  afi: 4 | 6;
  w: [number, number, number, number];
  length: number;
  maxLength: number;
  asn: number;
  ta: string;
}

function reference(rows: readonly Row[], afi: 4 | 6): Row[] {
  const s = afi === 4 ? 1 : 4;
  const mine = rows.filter((r) => r.afi === afi);
  // Array.prototype.sort is stable: equal rows keep the order they were added in.
  const sorted = [...mine].sort((a, b) => {
    for (let k = 0; k < s; k++) if (a.w[k] !== b.w[k]) return a.w[k] - b.w[k];
    return a.length - b.length || a.asn - b.asn || a.maxLength - b.maxLength;
  });
  return sorted.filter(
    (r, i) => i === 0 || !(r.length === sorted[i - 1]!.length && r.asn === sorted[i - 1]!.asn && r.maxLength === sorted[i - 1]!.maxLength && r.w.every((x, k) => x === sorted[i - 1]!.w[k])),
  );
}

t.test('property: build() equals a stable comparator sort with first-wins dedup', async (t) => {
  for (let round = 0; round < 200; round++) {
    const rand = seededRandom(5000 + round);
    const rows: Row[] = [];
    const n = randomInt(rand, 0, 400);
    const highWords = [0x0a000000, 0x20010db8, 0xc0000200, randomInt(rand, 0, 2 ** 32 - 1)];
    for (let i = 0; i < n; i++) {
      if (rows.length > 0 && rand() < 0.2) {
        // A repeat (maybe from another trust anchor) or the same prefix for another AS / maxLength.
        const base = rows[randomInt(rand, 0, rows.length - 1)]!;
        const kind = rand();
        const max = base.afi === 4 ? 32 : 128;
        rows.push({
          ...base,
          w: [...base.w],
          ta: `ta${randomInt(rand, 0, 3)}`,
          asn: kind < 0.3 ? randomInt(rand, 0, 5) : base.asn,
          maxLength: kind > 0.7 ? randomInt(rand, base.length, max) : base.maxLength,
        });
        continue;
      }
      const afi: 4 | 6 = rand() < 0.6 ? 4 : 6;
      const max = afi === 4 ? 32 : 128;
      const length = randomInt(rand, 0, max);
      const w: [number, number, number, number] = [highWords[randomInt(rand, 0, 3)]!, 0, 0, 0];
      // Low bits vary; most IPv6 rows keep their last words zero.
      w[0] = (w[0] + (rand() < 0.5 ? randomInt(rand, 0, 0x1ffff) : 0)) >>> 0;
      if (afi === 6 && rand() < 0.3) w[1] = randomInt(rand, 0, 2 ** 32 - 1);
      if (afi === 6 && rand() < 0.1) w[3] = randomInt(rand, 0, 2 ** 32 - 1);
      // Clear host bits past the length.
      for (let k = 0; k < 4; k++) {
        const bits = length - 32 * k;
        w[k] = bits <= 0 ? 0 : bits >= 32 ? w[k] : (w[k] & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
      }
      if (afi === 4) w[1] = w[2] = w[3] = 0;
      rows.push({ afi, w, length, maxLength: randomInt(rand, length, max), asn: randomInt(rand, 0, 5) * 65536 + randomInt(rand, 0, 3), ta: `ta${randomInt(rand, 0, 3)}` });
    }
    const b = new VrpTableBuilder();
    for (const r of rows) b.addFields(r.afi, r.w[0], r.w[1], r.w[2], r.w[3], r.length, r.maxLength, r.asn, r.ta);
    const table = b.build();
    for (const afi of [4, 6] as const) {
      const want = reference(rows, afi);
      const c = table.columns(afi);
      const got: Row[] = [];
      for (let i = 0; i < c.count; i++) {
        const w: [number, number, number, number] = [0, 0, 0, 0];
        for (let k = 0; k < c.stride; k++) w[k] = c.words[i * c.stride + k]!;
        got.push({ afi, w, length: c.length[i]!, maxLength: c.maxLength[i]!, asn: c.asn[i]!, ta: table.tas[c.ta[i]!]! });
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        t.same(got, want, `round ${round}, IPv${afi}`);
        return;
      }
    }
  }
  t.pass('200 random tables sorted and deduplicated as the reference does');
});
