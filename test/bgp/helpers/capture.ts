/**
 * Captures for the BGP tests: classic pcap (via test/rtr/helpers/pcap.ts)
 * and pcapng, with the TCP streams reassembled by sequence number, so that a
 * BGP message split over several segments (every real session does that) is
 * framed whole.
 *
 * pcapng (draft-ietf-opsawg-pcapng): Section Header Block 0x0a0d0d0a (byte
 * order from its magic 0x1a2b3c4d), Interface Description Blocks (type 1:
 * link type), Enhanced Packet Blocks (type 6: interface id, captured length,
 * packet) and Simple Packet Blocks (type 3). Other blocks are skipped.
 *
 * Reassembly: segments are grouped by (source, destination, ports) flow;
 * within a flow each byte goes to its place relative to the first segment's
 * sequence number, so retransmissions and reordering are harmless. A hole
 * (a segment missing from the capture) ends the usable stream there.
 */
import { readFileSync } from 'node:fs';
import { readPcap, type PcapOther, type PcapTcpPacket } from '../../rtr/helpers/pcap.js';

export interface TcpStream {
  /** "srcPort>dstPort" plus the order the flow first appeared in. */
  readonly key: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly bytes: Buffer;
  /** True when a gap in sequence numbers cut the stream short. */
  readonly gap: boolean;
}

/** The TCP payload segments of a pcap or pcapng file. */
export function readCapture(path: string): PcapTcpPacket[] {
  const file = readFileSync(path);
  const packets = file.readUInt32BE(0) === 0x0a0d0d0a ? readPcapng(file) : readPcap(unwrapLinkLayer(file));
  return packets.filter((p): p is PcapTcpPacket => 'payload' in p);
}

/**
 * Classic pcap with a link layer readPcap does not know, rewritten as raw IP
 * (101) or Ethernet (1) records: PPP (9: address 0xff, control 0x03, then a
 * 2-octet protocol, 0x0021 IPv4, 0x0057 IPv6) and Juniper Ethernet (178:
 * "MGC", flags, and with flag 0x80 a 2-octet extension length and the
 * extensions, then an Ethernet frame). Other files are returned as they are.
 */
function unwrapLinkLayer(file: Buffer): Buffer {
  if (file.length < 24) return file;
  const le = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20);
  if (linkType !== 9 && linkType !== 178) return file;
  const records: { linkType: number; data: Buffer }[] = [];
  for (let pos = 24; pos + 16 <= file.length; ) {
    const caplen = u32(pos + 8);
    const frame = file.subarray(pos + 16, Math.min(pos + 16 + caplen, file.length));
    pos += 16 + caplen;
    if (linkType === 9) {
      const at = frame[0] === 0xff && frame[1] === 0x03 ? 2 : 0;
      const proto = frame.length >= at + 2 ? frame.readUInt16BE(at) : 0;
      records.push({ linkType: proto === 0x0021 || proto === 0x0057 ? 101 : 0xffff, data: frame.subarray(at + 2) });
    } else {
      let at = 4;
      if (frame.length >= 6 && (frame[3]! & 0x80) !== 0) at += 2 + frame.readUInt16BE(4);
      records.push({ linkType: 1, data: frame.subarray(at) });
    }
  }
  return writeRecords(records[0]?.linkType ?? 101, records);
}

function writeRecords(linkType: number, records: readonly { data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  parts.push(header);
  for (const r of records) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(r.data.length, 8);
    rec.writeUInt32LE(r.data.length, 12);
    parts.push(rec, r.data);
  }
  return Buffer.concat(parts);
}

/** Every TCP flow of a capture, reassembled. Flows without payload are left out. */
export function tcpStreams(path: string): TcpStream[] {
  const flows = new Map<string, PcapTcpPacket[]>();
  for (const p of readCapture(path)) {
    if (p.payload.length === 0) continue;
    const key = `${p.srcPort}>${p.dstPort}`;
    let list = flows.get(key);
    if (!list) flows.set(key, (list = []));
    list.push(p);
  }
  const out: TcpStream[] = [];
  for (const [key, segments] of flows) {
    const first = segments[0]!;
    const start = first.seq;
    let size = 0;
    for (const s of segments) size = Math.max(size, ((s.seq - start) >>> 0) + s.payload.length);
    // A wrapped or wild sequence number (a fuzzed capture) would ask for gigabytes.
    if (size > 16 * 1024 * 1024) size = 0;
    const bytes = Buffer.alloc(size);
    const filled = new Uint8Array(size);
    for (const s of segments) {
      const at = (s.seq - start) >>> 0;
      if (at + s.payload.length > size) continue;
      bytes.set(s.payload, at);
      filled.fill(1, at, at + s.payload.length);
    }
    let end = filled.indexOf(0);
    const gap = end >= 0;
    if (end < 0) end = size;
    out.push({ key, srcPort: first.srcPort, dstPort: first.dstPort, bytes: bytes.subarray(0, end), gap });
  }
  return out;
}

/** pcapng → the same packet records readPcap gives, by rewriting each packet as a classic pcap record. */
export function readPcapng(file: Buffer): Array<PcapTcpPacket | PcapOther> {
  let le = true;
  const linkTypes: number[] = [];
  const records: { linkType: number; data: Buffer }[] = [];
  let pos = 0;
  while (pos + 12 <= file.length) {
    const type = file.readUInt32LE(pos) === 0x0a0d0d0a ? 0x0a0d0d0a : le ? file.readUInt32LE(pos) : file.readUInt32BE(pos);
    if (type === 0x0a0d0d0a) {
      const magic = file.readUInt32LE(pos + 8);
      le = magic === 0x1a2b3c4d;
      linkTypes.length = 0;
    }
    const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
    const u16 = (at: number): number => (le ? file.readUInt16LE(at) : file.readUInt16BE(at));
    const length = u32(pos + 4);
    if (length < 12 || pos + length > file.length) break;
    if (type === 1) {
      linkTypes.push(u16(pos + 8));
    } else if (type === 6) {
      const iface = u32(pos + 8);
      const caplen = u32(pos + 20);
      const data = file.subarray(pos + 28, Math.min(pos + 28 + caplen, pos + length));
      records.push({ linkType: linkTypes[iface] ?? 1, data });
    } else if (type === 3) {
      const data = file.subarray(pos + 12, pos + length - 4);
      records.push({ linkType: linkTypes[0] ?? 1, data });
    }
    pos += length;
  }
  // Group by link type (a file has one in practice) and reuse the pcap reader.
  const out: Array<PcapTcpPacket | PcapOther> = [];
  let index = 0;
  for (const r of records) {
    const pcap = Buffer.alloc(24 + 16 + r.data.length);
    pcap.writeUInt32LE(0xa1b2c3d4, 0);
    pcap.writeUInt16LE(2, 4);
    pcap.writeUInt16LE(4, 6);
    pcap.writeUInt32LE(262144, 16);
    pcap.writeUInt32LE(r.linkType, 20);
    pcap.writeUInt32LE(r.data.length, 24 + 8);
    pcap.writeUInt32LE(r.data.length, 24 + 12);
    r.data.copy(pcap, 40);
    for (const p of readPcap(pcap)) out.push({ ...p, index: index });
    index++;
  }
  return out;
}
