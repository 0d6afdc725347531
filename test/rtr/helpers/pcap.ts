/**
 * A tiny reader (and writer, for synthetic captures) of classic pcap files,
 * enough to pull TCP payloads out of tcpdump's test captures:
 *
 *   pcap global header (24 bytes): magic a1b2c3d4 (µs) or a1b23c4d (ns), in
 *     either byte order; version; zone; sigfigs; snaplen; link type
 *   record header (16 bytes): ts_sec, ts_frac, incl_len, orig_len
 *   link layer: 1 Ethernet (with 802.1Q tags), 113 Linux SLL, 0 BSD loopback,
 *     101/12 raw IP
 *   IPv4 (IHL, total length) or IPv6 (fixed 40-byte header, next header TCP)
 *   TCP (data offset), payload
 *
 * Deliberately damaged captures are the point, so nothing here throws past
 * the record walk: a packet it cannot follow is reported with `problem`, and
 * a payload shorter than the IP header claims is cut to the captured bytes
 * with `truncated` set (tcpdump prints "[total length 62 > length 50]").
 */
export interface PcapTcpPacket {
  readonly index: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly payload: Buffer;
  /** The IP header claims more bytes than were captured. */
  readonly truncated: boolean;
}

export interface PcapOther {
  readonly index: number;
  readonly problem: string;
}

export function readPcap(file: Buffer): Array<PcapTcpPacket | PcapOther> {
  if (file.length < 24) throw new Error('pcap: shorter than its global header');
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) throw new Error(`pcap: unknown magic ${magic.toString(16)}`);
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20);
  const out: Array<PcapTcpPacket | PcapOther> = [];
  let pos = 24;
  for (let index = 0; pos + 16 <= file.length; index++) {
    const caplen = u32(pos + 8);
    const frame = file.subarray(pos + 16, Math.min(pos + 16 + caplen, file.length));
    pos += 16 + caplen;
    out.push(decodeFrame(index, linkType, frame));
  }
  return out;
}

function decodeFrame(index: number, linkType: number, frame: Buffer): PcapTcpPacket | PcapOther {
  let at: number;
  let etherType = 0x0800;
  if (linkType === 1) {
    at = 12;
    etherType = frame.length >= 14 ? frame.readUInt16BE(12) : 0;
    while (etherType === 0x8100 && frame.length >= at + 6) {
      at += 4;
      etherType = frame.readUInt16BE(at);
    }
    at += 2;
  } else if (linkType === 113) {
    at = 16;
    etherType = frame.length >= 16 ? frame.readUInt16BE(14) : 0;
  } else if (linkType === 0) {
    at = 4;
    etherType = frame.length >= 4 && (frame.readUInt32LE(0) === 2 || frame.readUInt32BE(0) === 2) ? 0x0800 : 0x86dd;
  } else if (linkType === 101 || linkType === 12) {
    at = 0;
    etherType = frame.length > 0 && frame[0]! >> 4 === 6 ? 0x86dd : 0x0800;
  } else {
    return { index, problem: `link type ${linkType}` };
  }
  const ip = frame.subarray(at);
  let tcp: Buffer;
  let declared: number;
  if (etherType === 0x0800) {
    if (ip.length < 20 || ip[0]! >> 4 !== 4) return { index, problem: 'not IPv4' };
    if (ip[9] !== 6) return { index, problem: `IP protocol ${ip[9]}` };
    const ihl = (ip[0]! & 0x0f) * 4;
    declared = ip.readUInt16BE(2) - ihl;
    tcp = ip.subarray(ihl);
  } else if (etherType === 0x86dd) {
    if (ip.length < 40 || ip[0]! >> 4 !== 6) return { index, problem: 'not IPv6' };
    if (ip[6] !== 6) return { index, problem: `IPv6 next header ${ip[6]}` };
    declared = ip.readUInt16BE(4);
    tcp = ip.subarray(40);
  } else {
    return { index, problem: `ethertype 0x${etherType.toString(16)}` };
  }
  if (tcp.length < 20) return { index, problem: 'TCP header cut off' };
  const dataOffset = (tcp[12]! >> 4) * 4;
  if (dataOffset < 20 || dataOffset > tcp.length) return { index, problem: `TCP data offset ${dataOffset}` };
  const wanted = Math.max(0, declared - dataOffset);
  const payload = tcp.subarray(dataOffset, dataOffset + wanted);
  return {
    index,
    srcPort: tcp.readUInt16BE(0),
    dstPort: tcp.readUInt16BE(2),
    seq: tcp.readUInt32BE(4),
    payload,
    truncated: payload.length < wanted,
  };
}

/** A little-endian µs pcap of Ethernet/IPv4/TCP packets from port 323 carrying `payloads`. */
export function writePcap(payloads: Buffer[], firstSeq = 1000): Buffer {
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  parts.push(global);
  let seq = firstSeq;
  for (const [i, payload] of payloads.entries()) {
    const eth = Buffer.from([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00]);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(40 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    ip.set([192, 0, 2, 1, 192, 0, 2, 2], 12);
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(323, 0);
    tcp.writeUInt16BE(49600, 2);
    tcp.writeUInt32BE(seq, 4);
    tcp[12] = 5 << 4;
    tcp[13] = 0x18; // PSH, ACK
    const frame = Buffer.concat([eth, ip, tcp, payload]);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1700000000 + i, 0);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    parts.push(record, frame);
    seq = (seq + payload.length) >>> 0;
  }
  return Buffer.concat(parts);
}
