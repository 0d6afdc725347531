/**
 * CRC-32 (ISO-HDLC: the polynomial 0x04C11DB7 reflected, as in zlib,
 * gzip and PNG), for the journal's frame checks.
 *
 * Node has zlib.crc32 only from 20.15 / 22.2 and rovd supports every
 * Node 20; the table version is a few lines and fast enough for records
 * of a few kilobytes. test/store/crc32.test.ts holds it to zlib's where
 * zlib has one.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `bytes[start, end)`, an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
