/**
 * The one error type every codec raises for bad input.
 *
 * A codec never lets a bare RangeError, `undefined` or a silently short
 * `subarray` reach domain code: it raises a ParseError that says what kind of
 * problem it is, which field was being read and at which byte offset of the
 * stream, so a log line is enough to find the offending bytes in a capture.
 */

/**
 * - `truncated`: the input ends before a field it declares.
 * - `malformed`: the bytes are there but violate the grammar (bad length,
 *   reserved value, bad marker).
 * - `unsupported`: well-formed, but a version or type we do not implement.
 * - `needs-session-state`: cannot be decoded without state negotiated
 *   elsewhere (4-octet AS, ADD-PATH), which the caller did not give.
 */
export type ParseErrorKind = 'truncated' | 'malformed' | 'unsupported' | 'needs-session-state';

export interface ParseErrorDetails {
  readonly kind: ParseErrorKind;
  /** Dotted name of the field being read, e.g. `bmp.header.length`. */
  readonly field: string;
  /** Absolute byte offset in the input where the field starts. */
  readonly offset: number;
  /** Free-form explanation of what was wrong. */
  readonly reason?: string;
  /** For `truncated`: bytes needed and bytes left. */
  readonly required?: number;
  readonly remaining?: number;
}

export class ParseError extends Error {
  readonly kind: ParseErrorKind;
  readonly field: string;
  readonly offset: number;
  readonly required: number | undefined;
  readonly remaining: number | undefined;

  constructor(details: ParseErrorDetails) {
    super(ParseError.describe(details));
    this.name = 'ParseError';
    this.kind = details.kind;
    this.field = details.field;
    this.offset = details.offset;
    this.required = details.required;
    this.remaining = details.remaining;
  }

  private static describe(d: ParseErrorDetails): string {
    let text = `${d.kind}: ${d.field} at offset ${d.offset}`;
    if (d.kind === 'truncated' && d.required !== undefined) {
      text += ` (needs ${d.required} bytes, ${d.remaining ?? 0} left)`;
    }
    if (d.reason) text += `: ${d.reason}`;
    return text;
  }
}
