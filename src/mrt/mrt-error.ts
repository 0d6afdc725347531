/**
 * The error that stops an MRT file: a {@link ParseError} (kind, field,
 * absolute offset of the bad field) that also names the record it happened
 * in: its file offset, type and subtype, and the file.
 *
 * Offsets are positions in the decompressed MRT stream, so `dd skip=OFFSET`
 * on the decompressed file lands on the record.
 */
import { ParseError, type ParseErrorDetails } from '../wire/parse-error.js';
import { mrtRecordName } from './mrt-types.js';

export interface MrtRecordRef {
  /** Offset of the record's common header in the decompressed stream. */
  readonly offset: number;
  /** Undefined when the stream ended inside the 12-byte common header. */
  readonly type: number | undefined;
  readonly subtype: number | undefined;
}

export class MrtError extends ParseError {
  readonly recordOffset: number;
  readonly recordType: number | undefined;
  readonly recordSubtype: number | undefined;
  /** The file (or stream name) being read, when known. */
  readonly source: string | undefined;
  /** The ParseError text without the record prefix. */
  readonly detail: string;

  constructor(details: ParseErrorDetails, record: MrtRecordRef, source?: string, detail?: string) {
    super(details);
    this.name = 'MrtError';
    this.recordOffset = record.offset;
    this.recordType = record.type;
    this.recordSubtype = record.subtype;
    this.source = source;
    this.detail = detail ?? this.message;
    this.message = `${source ? `${source}: ` : ''}${recordText(record)}: ${this.detail}`;
  }

  /** The name of the record, e.g. `TABLE_DUMP_V2/RIB_IPV4_UNICAST record at offset 1234`. */
  get record(): MrtRecordRef {
    return { offset: this.recordOffset, type: this.recordType, subtype: this.recordSubtype };
  }

  /** The same error, naming its file (the framer and decoders do not know file names). */
  withSource(source: string): MrtError {
    if (this.source !== undefined) return this;
    return new MrtError(detailsOf(this), this.record, source, this.detail);
  }

  /** Wraps a ParseError raised while decoding the body of `record`. */
  static inRecord(err: ParseError, record: MrtRecordRef, source?: string): MrtError {
    if (err instanceof MrtError) return source === undefined ? err : err.withSource(source);
    return new MrtError(detailsOf(err), record, source, err.message);
  }
}

function recordText(record: MrtRecordRef): string {
  const what = record.type === undefined ? 'record header' : `${mrtRecordName(record.type, record.subtype ?? 0)} record`;
  return `${what} at offset ${record.offset}`;
}

function detailsOf(err: ParseError): ParseErrorDetails {
  return err.required === undefined
    ? { kind: err.kind, field: err.field, offset: err.offset }
    : { kind: err.kind, field: err.field, offset: err.offset, required: err.required, remaining: err.remaining ?? 0 };
}
