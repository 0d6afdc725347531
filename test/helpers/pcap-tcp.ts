/**
 * TCP stream reassembly over test/rtr/helpers/pcap.ts: the payload bytes of
 * each direction of each connection in a capture, in sequence-number order.
 *
 * A flow is keyed by source and destination port (pcap.ts does not report
 * IP addresses; the captures read here carry one connection per port pair).
 * Segments are placed by sequence number relative to the flow's first
 * segment (modulo 2^32, so a wrap is handled); retransmissions and overlaps
 * keep the bytes first seen, and a hole (a segment missing from the
 * capture) is reported in `gaps` and closed up, so a reader of the stream
 * sees where it is damaged instead of silently misframing.
 */
import { readPcap } from '../rtr/helpers/pcap.js';

export interface TcpStream {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly bytes: Buffer;
  readonly segments: number;
  /** Stream offsets where bytes are missing, with how many. */
  readonly gaps: ReadonlyArray<{ readonly at: number; readonly missing: number }>;
  /** Segments whose IP length claimed more than was captured. */
  readonly truncatedSegments: number;
}

export function reassembleTcp(file: Buffer): TcpStream[] {
  const flows = new Map<string, Array<{ rel: number; payload: Buffer; truncated: boolean }>>();
  const first = new Map<string, number>();
  const ports = new Map<string, [number, number]>();
  for (const p of readPcap(file)) {
    if (!('payload' in p) || p.payload.length === 0) continue;
    const key = `${p.srcPort}>${p.dstPort}`;
    if (!first.has(key)) {
      first.set(key, p.seq);
      ports.set(key, [p.srcPort, p.dstPort]);
      flows.set(key, []);
    }
    const rel = (p.seq - first.get(key)!) >>> 0;
    flows.get(key)!.push({ rel, payload: p.payload, truncated: p.truncated });
  }
  const out: TcpStream[] = [];
  for (const [key, segs] of flows) {
    segs.sort((a, b) => a.rel - b.rel);
    const parts: Buffer[] = [];
    const gaps: Array<{ at: number; missing: number }> = [];
    let next = 0;
    let length = 0;
    let truncatedSegments = 0;
    for (const s of segs) {
      if (s.truncated) truncatedSegments++;
      const end = s.rel + s.payload.length;
      if (end <= next) continue; // retransmission
      if (s.rel > next) {
        gaps.push({ at: length, missing: s.rel - next });
        next = s.rel;
      }
      const fresh = s.payload.subarray(next - s.rel);
      parts.push(fresh);
      length += fresh.length;
      next = end;
    }
    const [srcPort, dstPort] = ports.get(key)!;
    out.push({ srcPort, dstPort, bytes: Buffer.concat(parts), segments: segs.length, gaps, truncatedSegments });
  }
  return out;
}
