/**
 * Reference-counted string interning for the few text fields of a path
 * attribute set (next hops, aggregator addresses, the odd large community
 * that is not in canonical "a:b:c" form).
 *
 * An attribute set is stored as 32-bit words (attribute-store.ts); a text
 * field becomes the id of its string here, so equal sets have equal words
 * and the text comes back exactly as it was given. Next hops repeat across
 * hundreds of thousands of routes, so the pool stays small; ids are counted
 * per referencing set and freed (and reused) at zero, so a daemon that runs
 * for months does not keep every next hop it ever saw.
 */
export class StringPool {
  private readonly ids = new Map<string, number>();
  private readonly values: (string | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly free: number[] = [];

  /** Strings held (with at least one reference, or just looked up). */
  get size(): number {
    return this.ids.size;
  }

  /**
   * The id of `text`, adding it with no references when absent. The caller
   * either retains it (a new set stores it) or drops the matter: an id with
   * no references is only ever handed out for a string no stored set uses,
   * so a set that stores it is always a new set, which retains it.
   */
  idOf(text: string): number {
    const known = this.ids.get(text);
    if (known !== undefined) return known;
    const id = this.free.length > 0 ? this.free.pop()! : this.values.length;
    this.values[id] = text;
    this.refs[id] = 0;
    this.ids.set(text, id);
    return id;
  }

  get(id: number): string {
    const v = this.values[id];
    if (v === undefined) throw new RangeError(`string id ${id} is not held`);
    return v;
  }

  retain(id: number): void {
    this.refs[id]!++;
  }

  release(id: number): void {
    const left = --this.refs[id]!;
    if (left > 0) return;
    const text = this.values[id]!;
    this.ids.delete(text);
    this.values[id] = undefined;
    this.free.push(id);
  }
}
