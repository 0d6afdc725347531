/**
 * Bytes to text and text to JSON for RPKI files, with errors that say where.
 *
 * JSON is UTF-8 (RFC 8259 §8.1), and so is everything an RP exports. A
 * UTF-8 byte order mark is dropped (RFC 8259 §8.1 lets a parser ignore it,
 * and editors on Windows add it to hand-written SLURM files); a UTF-16 one
 * means the file was saved in the wrong encoding and is refused by name,
 * as is any invalid UTF-8, rather than decoded into U+FFFD and rejected
 * later with a confusing message.
 */
import { isUtf8 } from 'node:buffer';
import { RpkiFormatError } from './rpki-file.js';

export function decodeUtf8(bytes: Buffer, source: string): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new RpkiFormatError(source, undefined, 'UTF-16 byte order mark: the file must be UTF-8');
  }
  if (!isUtf8(bytes)) {
    throw new RpkiFormatError(source, firstBadUtf8(bytes), 'invalid UTF-8');
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}

/** Drops a leading U+FEFF (text decoded elsewhere may still carry it). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON.parse, its SyntaxError turned into an RpkiFormatError with a line number. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /at position (\d+)/.exec(message);
    const entry = position ? lineAt(text, Number(position[1])) : undefined;
    // V8 quotes the input in some messages; keep the log line short.
    const reason = message.length > 200 ? `${message.slice(0, 197)}...` : message;
    throw new RpkiFormatError(source, entry, `invalid JSON: ${reason}`);
  }
}

/** `line N` for a character offset, the form CSV errors use too. */
export function lineAt(text: string, offset: number): string {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return `line ${line}`;
}

function firstBadUtf8(bytes: Buffer): string {
  // Slow, but only on the error path: find the line of the first bad byte.
  let line = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || !isUtf8(bytes.subarray(i, i + n))) return `line ${line}`;
    if (b === 0x0a) line++;
    i += n;
  }
  return `line ${line}`;
}
