/**
 * The result of an attribute decoder that found the value malformed: a reason,
 * returned (not thrown) so the block decoder can apply the RFC 7606 action
 * for that attribute without a try/catch per field. Allocated only on error.
 */
export class Malformed {
  constructor(readonly reason: string) {}
}

export function malformed(reason: string): Malformed {
  return new Malformed(reason);
}

export function u32At(buf: Uint8Array, p: number): number {
  return ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
}

export function u16At(buf: Uint8Array, p: number): number {
  return (buf[p]! << 8) | buf[p + 1]!;
}
