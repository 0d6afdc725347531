/**
 * CLUSTER_LIST, type code 10 (RFC 4456 §8): optional non-transitive.
 *
 *   value = 1*cluster-id:u32
 *
 * RFC 7606 §7.10: a length that is not a non-zero multiple of 4 is malformed;
 * treat-as-withdraw. Kept raw in otherAttributes.
 */
import { Malformed, malformed } from './malformed.js';

export function checkClusterList(length: number): Malformed | undefined {
  return length === 0 || length % 4 !== 0 ? malformed(`length ${length}, must be a non-zero multiple of 4`) : undefined;
}
