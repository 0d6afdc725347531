/**
 * Reconstructing the AS path on a 2-octet session from AS_PATH and AS4_PATH,
 * RFC 6793 §4.2.3:
 *
 * - If the AGGREGATOR attribute holds an AS other than AS_TRANS (23456) and an
 *   AS4_AGGREGATOR is present, both AS4_AGGREGATOR and AS4_PATH are ignored
 *   (the caller checks that, see block.ts).
 * - If AS_PATH has fewer AS numbers than AS4_PATH, AS4_PATH is ignored.
 * - Otherwise the path is as many AS numbers and segments from the leading
 *   part of AS_PATH as needed, followed by AS4_PATH, so the result has as many
 *   AS numbers as AS_PATH. A confed segment is carried over if it leads the
 *   path or is adjacent to a segment carried over.
 *
 * Counting AS numbers (RFC 6793 §4.2.3 refers to RFC 4271 §9.1.2.2 (a)): an
 * AS_SET counts as 1; AS_CONFED_SEQUENCE and AS_CONFED_SET count 0
 * (RFC 5065 §5.3).
 */
import type { Asn } from '../../net/asn.js';
import type { AsPathSegment } from '../as-path.js';

export const AS_TRANS = 23456;

/** Path length in the RFC 4271 §9.1.2.2 sense. */
export function countAsns(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

/** The merged segments, or undefined when AS4_PATH must be ignored (it is longer). */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] | undefined {
  let need = countAsns(asPath) - countAsns(as4Path);
  if (need < 0) return undefined;
  const out: AsPathSegment[] = [];
  // Every segment before the current one was carried over (the walk stops at
  // the first one that is not), so a confed segment reached here leads the
  // path or is adjacent to a carried-over segment.
  for (const seg of asPath) {
    if (seg.type === 'confed-sequence' || seg.type === 'confed-set') {
      out.push(seg);
      continue;
    }
    if (need === 0) break;
    if (seg.type === 'set') {
      out.push(seg);
      need -= 1;
      continue;
    }
    const take = Math.min(need, seg.asns.length);
    out.push(take === seg.asns.length ? seg : { type: 'sequence', asns: seg.asns.slice(0, take) });
    need -= take;
    if (take < seg.asns.length) break;
  }
  // A trailing sequence of the carried-over part and a leading sequence of
  // AS4_PATH are one sequence.
  let i = 0;
  const last = out[out.length - 1];
  const first = as4Path[0];
  if (last !== undefined && first !== undefined && last.type === 'sequence' && first.type === 'sequence') {
    out[out.length - 1] = { type: 'sequence', asns: (last.asns as Asn[]).concat(first.asns) };
    i = 1;
  }
  for (; i < as4Path.length; i++) out.push(as4Path[i]!);
  return out;
}
