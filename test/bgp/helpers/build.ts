/**
 * Hand-written UPDATE bytes for the BGP tests: every byte is spelled out by
 * the caller; these helpers only add the length fields, so a test reads as
 * the wire grammar (RFC 4271 §4.3).
 */
import { capabilities, type SessionCapabilities } from '../../../src/bgp/capabilities.js';

export type Bytes = readonly number[];

/** A path attribute: flags, type, length (one octet, or two with flag 0x10), value. */
export function attr(flags: number, type: number, value: Bytes): number[] {
  if ((flags & 0x10) !== 0) return [flags, type, value.length >> 8, value.length & 0xff, ...value];
  if (value.length > 255) throw new Error('attr: value over 255 octets needs flag 0x10');
  return [flags, type, value.length, ...value];
}

/** An UPDATE body: withdrawn routes, attributes, NLRI (lengths filled in). */
export function update(withdrawn: Bytes, attributes: Bytes, nlri: Bytes = []): Uint8Array {
  return Uint8Array.from([withdrawn.length >> 8, withdrawn.length & 0xff, ...withdrawn, attributes.length >> 8, attributes.length & 0xff, ...attributes, ...nlri]);
}

export const u16 = (v: number): number[] => [v >>> 8, v & 0xff];
export const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

// The attributes of a plain IPv4 announcement, well-formed.
export const ORIGIN_IGP = attr(0x40, 1, [0]);
export const AS_PATH_2 = (...asns: number[]): number[] => attr(0x40, 2, asns.length ? [2, asns.length, ...asns.flatMap(u16)] : []);
export const AS_PATH_4 = (...asns: number[]): number[] => attr(0x40, 2, asns.length ? [2, asns.length, ...asns.flatMap(u32)] : []);
export const NEXT_HOP = (a: number, b: number, c: number, d: number): number[] => attr(0x40, 3, [a, b, c, d]);
/** ORIGIN IGP, AS_PATH 65001 (4-octet), NEXT_HOP 192.0.2.1. */
export const BASE_ATTRS: readonly number[] = [...ORIGIN_IGP, ...AS_PATH_4(65001), ...NEXT_HOP(192, 0, 2, 1)];
/** 10.0.0.0/8 as NLRI. */
export const NLRI_10_8: readonly number[] = [8, 10];

export const CAPS4: SessionCapabilities = capabilities({ asn4: true });
export const CAPS2: SessionCapabilities = capabilities({ asn4: false });

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
