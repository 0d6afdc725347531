/**
 * Cursor pagination for list endpoints: `limit` (1..1000, default 100) and
 * an opaque `cursor` from the previous page's `next`. The cursor is the
 * offset in the list's stable order, base64url-encoded so clients do not
 * build it themselves; a list that changes between pages may shift by the
 * changes, as with any offset paging (documented in the OpenAPI text).
 */
import { badRequest } from './errors.js';

export const PAGE_QUERY = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,16}$' },
} as const;

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly next?: string;
  /** All matching items, where counting them is cheap. */
  readonly total?: number;
}

export function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest('querystring/cursor is not a cursor this server gave out');
  return n;
}

/** The cursor that continues after `offset` items. */
export function cursorAt(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

/** One page of `all` (already in its stable order). */
export function page<T>(all: readonly T[], limit: number, cursor: string | undefined): Page<T> {
  const from = offsetOf(cursor);
  const items = all.slice(from, from + limit);
  const end = from + items.length;
  return end < all.length ? { items, next: cursorAt(end), total: all.length } : { items, total: all.length };
}

export function pageSchema(item: object): object {
  return {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', items: item }, next: { type: 'string' }, total: { type: 'integer' } },
  };
}
