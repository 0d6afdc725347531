/**
 * Sample PDUs of every type and version, and a plain-data view of a PDU
 * (prefixes as text, bytes as hex) so tests compare with t.same and read a
 * readable diff.
 */
import type { Asn } from '../../../src/net/asn.js';
import { Prefix } from '../../../src/net/prefix.js';
import type { Pdu, RtrVersion } from '../../../src/rtr/pdu.js';

export const asn = (n: number): Asn => n as Asn;

/** A syntactically valid DER SEQUENCE standing in for a P-256 SPKI (91 bytes). */
export const SPKI_91 = Buffer.concat([Buffer.from([0x30, 0x59]), Buffer.alloc(89, 0xab)]);
export const SKI_20 = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');

/** Every PDU type valid in `version`, announcements and withdrawals. */
export function samplePdus(version: RtrVersion): Pdu[] {
  const pdus: Pdu[] = [
    { type: 0, version, sessionId: 0x1234, serial: 42 },
    { type: 1, version, sessionId: 0xffff, serial: 0xffffffff },
    { type: 2, version },
    { type: 3, version, sessionId: 7 },
    { type: 4, version, announce: true, prefix: Prefix.parse('192.0.2.0/24'), maxLength: 24, asn: asn(64496) },
    { type: 4, version, announce: false, prefix: Prefix.parse('0.0.0.0/0'), maxLength: 32, asn: asn(0) },
    { type: 6, version, announce: true, prefix: Prefix.parse('2001:db8::/32'), maxLength: 48, asn: asn(4200000000) },
    { type: 6, version, announce: false, prefix: Prefix.parse('2001:db8::1/128'), maxLength: 128, asn: asn(65551) },
    { type: 8, version },
    { type: 10, version, errorCode: 2, erroneousPdu: new Uint8Array(0), text: 'no data yet' },
    { type: 10, version, errorCode: 0, erroneousPdu: Buffer.from([version, 4, 0, 0, 0, 0, 0, 20]), text: 'Grüße, 世界 🙂' },
  ];
  if (version === 0) {
    pdus.push({ type: 7, version: 0, sessionId: 0x1234, serial: 43 });
  } else {
    pdus.push({ type: 7, version, sessionId: 0x1234, serial: 43, refreshInterval: 3600, retryInterval: 600, expireInterval: 7200 });
    pdus.push({ type: 9, version, announce: true, ski: SKI_20, asn: asn(64497), spki: SPKI_91 });
    pdus.push({ type: 9, version, announce: false, ski: SKI_20, asn: asn(64497), spki: SPKI_91 });
  }
  if (version === 2) {
    pdus.push({ type: 11, version: 2, announce: true, customer: asn(64500), providers: [asn(64501), asn(64502), asn(4200000001)] });
    pdus.push({ type: 11, version: 2, announce: true, customer: asn(64503), providers: [asn(0)] });
    pdus.push({ type: 11, version: 2, announce: false, customer: asn(64500), providers: [] });
  }
  return pdus;
}

export const ALL_SAMPLES: readonly Pdu[] = [...samplePdus(0), ...samplePdus(1), ...samplePdus(2)];

/** A PDU as plain data: Prefix as text, byte fields as hex. */
export function plain(pdu: Pdu): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pdu)) {
    if (v instanceof Uint8Array) out[k] = Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
    else if (v instanceof Prefix) out[k] = v.toString();
    else if (Array.isArray(v)) out[k] = [...(v as unknown[])];
    else out[k] = v;
  }
  return out;
}

/** `Buffer` from hex with spaces, for short expected byte strings. */
export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
