/**
 * bgpdump -m lines and rovd's events in one comparable form:
 *   KIND|peer ip|peer as|prefix|path id|as path     (KIND: A, W, B)
 *   STATE|peer ip|peer as|old|new
 * (bgpdump: `TYPE|time|A/W/B|peer ip|peer as|prefix|[path id|]as path|…`,
 * the path id column only in TABLE_DUMP2_AP lines.)
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { MrtEvent } from '../../../src/mrt/events.js';

export async function bgpdumpLines(path: string): Promise<string[]> {
  const out: string[] = [];
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    out.push(bgpdumpKey(line));
  }
  return out;
}

export function bgpdumpKey(line: string): string {
  const f = line.split('|');
  const kind = f[2]!;
  if (kind === 'STATE') return `STATE|${f[3]}|${f[4]}|${f[5]}|${f[6]}`;
  if (kind === 'W') return `W|${f[3]}|${f[4]}|${f[5]}|0|`;
  const ap = f[0]!.endsWith('_AP');
  return `${kind === 'B' ? 'B' : 'A'}|${f[3]}|${f[4]}|${f[5]}|${ap ? f[6] : 0}|${ap ? f[7] : f[6]}`;
}

export function eventKey(e: MrtEvent): string {
  if (e.kind === 'state') return `STATE|${e.peer.address}|${e.peer.asn}|${e.oldState}|${e.newState}`;
  const kind = e.kind === 'rib' ? 'B' : e.kind === 'announce' ? 'A' : 'W';
  return `${kind}|${e.peer.address}|${e.peer.asn}|${e.prefix.toString()}|${e.pathId}|${e.attributes ? e.attributes.asPath.toString() : ''}`;
}

/** a − b as multisets. */
export function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}
