/**
 * A counting hash set in typed arrays: how many routes of a range level lie
 * under a given key (the first g bits of their address). route-table.ts
 * uses it to skip, in covered() and revalidate(), the parts of a short
 * prefix where a deep level holds nothing: without it a /29 query on a full
 * IPv6 table walks 2,048 mostly empty /40 chains, with it a few dozen.
 *
 * Open addressing with linear probing, four words a slot
 * (k0 | k1 | level + 1 | count; level word 0 = empty), load at most one
 * half: a look-up is usually one cache line, which matters since every
 * insert and withdraw updates a count. Deletion shifts the following
 * entries back (no tombstones); the table halves when it is seven eighths
 * empty.
 */

const SLOT = 4;
const K0 = 0;
const K1 = 1;
const LEVEL = 2;
const COUNT = 3;
const MIN_SLOTS = 16;

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
  private slots = new Uint32Array(MIN_SLOTS * SLOT);
  private mask = MIN_SLOTS - 1;
  /** Keys with a count above zero. */
  size = 0;

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Routes counted under (level, k0, k1). */
  get(level: number, k0: number, k1: number): number {
    const i = this.find(level, k0, k1);
    return i < 0 ? 0 : this.slots[i * SLOT + COUNT]!;
  }

  increment(level: number, k0: number, k1: number): void {
    const slots = this.slots;
    const tag = level + 1;
    let i = keyHash(level, k0, k1) & this.mask;
    for (;;) {
      const b = i * SLOT;
      const l = slots[b + LEVEL]!;
      if (l === 0) {
        slots[b + K0] = k0;
        slots[b + K1] = k1;
        slots[b + LEVEL] = tag;
        slots[b + COUNT] = 1;
        if (++this.size * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
        return;
      }
      if (l === tag && slots[b + K0] === k0 && slots[b + K1] === k1) {
        slots[b + COUNT]++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** One route less under the key, which must be counted. */
  decrement(level: number, k0: number, k1: number): void {
    let i = this.find(level, k0, k1);
    if (i < 0) throw new Error(`occupancy: no count for level ${level} key ${k0}:${k1}`);
    const slots = this.slots;
    if (--slots[i * SLOT + COUNT]! > 0) return;
    // Backward-shift deletion: move later entries of the probe run into the hole.
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const b = j * SLOT;
      if (slots[b + LEVEL] === 0) break;
      const home = keyHash(slots[b + LEVEL]! - 1, slots[b + K0]!, slots[b + K1]!) & mask;
      // Entry j may fill the hole at i if its home is not in (i, j] (cyclically).
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        slots.copyWithin(i * SLOT, b, b + SLOT);
        i = j;
      }
    }
    slots.fill(0, i * SLOT, i * SLOT + SLOT);
    this.size--;
    if (this.mask + 1 > MIN_SLOTS && this.size * 8 < this.mask + 1) this.rehash((this.mask + 1) / 2);
  }

  private find(level: number, k0: number, k1: number): number {
    const slots = this.slots;
    const tag = level + 1;
    let i = keyHash(level, k0, k1) & this.mask;
    for (;;) {
      const b = i * SLOT;
      const l = slots[b + LEVEL]!;
      if (l === 0) return -1;
      if (l === tag && slots[b + K0] === k0 && slots[b + K1] === k1) return i;
      i = (i + 1) & this.mask;
    }
  }

  private rehash(size: number): void {
    const old = this.slots;
    const slots = new Uint32Array(size * SLOT);
    const mask = size - 1;
    for (let b = 0; b < old.length; b += SLOT) {
      const l = old[b + LEVEL]!;
      if (l === 0) continue;
      let i = keyHash(l - 1, old[b + K0]!, old[b + K1]!) & mask;
      while (slots[i * SLOT + LEVEL] !== 0) i = (i + 1) & mask;
      slots.set(old.subarray(b, b + SLOT), i * SLOT);
    }
    this.slots = slots;
    this.mask = mask;
  }
}
