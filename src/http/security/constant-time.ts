/**
 * Comparing secrets without a timing side channel. crypto.timingSafeEqual
 * needs equal lengths and would throw (or, checked first, reveal the
 * length); comparing the SHA-256 digests of both sides gives equal-length
 * inputs whose comparison time says nothing about where they differ.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
