/**
 * A counting hash set in typed arrays: how many routes of a range level lie
 * under a given key (the first g bits of their address). route-table.ts
 * uses it to skip, in covered() and revalidate(), the parts of a short
 * prefix where a deep level holds nothing: without it a /29 query on a full
 * IPv6 table walks 2,048 mostly empty /40 chains, with it a few dozen.
 *
 * Entry: k0 | k1 | level | count | next (5 words). Entries whose count
 * falls to zero are freed and reused; the pool is rebuilt smaller when
 * three quarters of it are free.
 */

const STRIDE = 5;
const K0 = 0;
const K1 = 1;
const LEVEL = 2;
const COUNT = 3;
const NEXT = 4;
const MIN_CAPACITY = 16;

function keyHash(level: number, k0: number, k1: number): number {
  let h = Math.imul(k0 ^ 0x27d4eb2f, 0x9e3779b1) ^ Math.imul(k1 ^ (level << 24), 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h;
}

export class Occupancy {
  private rec: Uint32Array;
  private link: Int32Array;
  private heads: Int32Array;
  private mask: number;
  /** Keys with a count above zero. */
  size = 0;
  private highWater = 0;
  private freeHead = -1;

  constructor() {
    this.rec = new Uint32Array(MIN_CAPACITY * STRIDE);
    this.link = new Int32Array(this.rec.buffer);
    this.heads = new Int32Array(MIN_CAPACITY).fill(-1);
    this.mask = MIN_CAPACITY - 1;
  }

  get bytes(): number {
    return this.rec.byteLength + this.heads.byteLength;
  }

  /** Routes counted under (level, k0, k1). */
  get(level: number, k0: number, k1: number): number {
    const e = this.find(level, k0, k1);
    return e < 0 ? 0 : this.rec[e * STRIDE + COUNT]!;
  }

  increment(level: number, k0: number, k1: number): void {
    const e = this.find(level, k0, k1);
    if (e >= 0) {
      this.rec[e * STRIDE + COUNT]++;
      return;
    }
    let s = this.freeHead;
    if (s >= 0) {
      this.freeHead = this.link[s * STRIDE + NEXT]!;
    } else {
      if (this.highWater * STRIDE === this.rec.length) this.resize(Math.ceil((this.rec.length / STRIDE) * 1.5));
      s = this.highWater++;
    }
    const b = s * STRIDE;
    const rec = this.rec;
    rec[b + K0] = k0;
    rec[b + K1] = k1;
    rec[b + LEVEL] = level;
    rec[b + COUNT] = 1;
    this.size++;
    if (this.size > this.heads.length) {
      this.rebuild(this.heads.length * 2);
    } else {
      const h = keyHash(level, k0, k1) & this.mask;
      this.link[b + NEXT] = this.heads[h]!;
      this.heads[h] = s;
    }
  }

  /** One route less under the key, which must be counted. */
  decrement(level: number, k0: number, k1: number): void {
    const h = keyHash(level, k0, k1) & this.mask;
    const rec = this.rec;
    const link = this.link;
    let prev = -1;
    let s = this.heads[h]!;
    while (s >= 0) {
      const b = s * STRIDE;
      if (rec[b + K0] === k0 && rec[b + K1] === k1 && rec[b + LEVEL] === level) break;
      prev = s;
      s = link[b + NEXT]!;
    }
    if (s < 0) throw new Error(`occupancy: no count for level ${level} key ${k0}:${k1}`);
    const b = s * STRIDE;
    if (--rec[b + COUNT]! > 0) return;
    if (prev < 0) this.heads[h] = link[b + NEXT]!;
    else link[prev * STRIDE + NEXT] = link[b + NEXT]!;
    rec[b + LEVEL] = 0xffffffff; // free
    link[b + NEXT] = this.freeHead;
    this.freeHead = s;
    this.size--;
    const cap = this.rec.length / STRIDE;
    if (cap > MIN_CAPACITY * 4 && this.size * 4 < cap) this.resize(Math.max(MIN_CAPACITY, Math.ceil(this.size * 1.5)));
  }

  private find(level: number, k0: number, k1: number): number {
    const rec = this.rec;
    let s = this.heads[keyHash(level, k0, k1) & this.mask]!;
    while (s >= 0) {
      const b = s * STRIDE;
      if (rec[b + K0] === k0 && rec[b + K1] === k1 && rec[b + LEVEL] === level) return s;
      s = this.link[b + NEXT]!;
    }
    return -1;
  }

  /** Compacts the used entries into a pool of `capacity` and rebuilds the chains. */
  private resize(capacity: number): void {
    const old = this.rec;
    const rec = new Uint32Array(Math.max(MIN_CAPACITY, capacity) * STRIDE);
    let top = 0;
    for (let s = 0; s < this.highWater; s++) {
      const b = s * STRIDE;
      if (old[b + LEVEL] === 0xffffffff) continue;
      rec.set(old.subarray(b, b + STRIDE), top * STRIDE);
      top++;
    }
    this.rec = rec;
    this.link = new Int32Array(rec.buffer);
    this.highWater = top;
    this.freeHead = -1;
    let heads = MIN_CAPACITY;
    while (heads < this.size) heads *= 2;
    this.rebuild(heads);
  }

  private rebuild(size: number): void {
    this.heads = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const rec = this.rec;
    for (let s = 0; s < this.highWater; s++) {
      const b = s * STRIDE;
      if (rec[b + LEVEL] === 0xffffffff) continue;
      const h = keyHash(rec[b + LEVEL]!, rec[b + K0]!, rec[b + K1]!) & this.mask;
      this.link[b + NEXT] = this.heads[h]!;
      this.heads[h] = s;
    }
  }
}
