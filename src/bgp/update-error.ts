/**
 * The error an UPDATE decoder raises when RFC 7606 (or RFC 4271 §6.3 /
 * RFC 4760 §7, where RFC 7606 leaves them in force) demands a session reset:
 * the message cannot be parsed far enough to apply a gentler approach.
 *
 * It is a ParseError (kind, field, offset) with `action: 'session-reset'`, so
 * generic codec code can catch ParseError and BGP-aware code can tell it apart.
 */
import { ParseError, type ParseErrorDetails } from '../wire/parse-error.js';

export class BgpUpdateError extends ParseError {
  readonly action = 'session-reset' as const;
  constructor(details: ParseErrorDetails) {
    super(details);
    this.name = 'BgpUpdateError';
  }
}

export function truncated(field: string, offset: number, required: number, remaining: number): BgpUpdateError {
  return new BgpUpdateError({ kind: 'truncated', field, offset, required, remaining });
}

export function malformedUpdate(field: string, offset: number, reason: string): BgpUpdateError {
  return new BgpUpdateError({ kind: 'malformed', field, offset, reason });
}
