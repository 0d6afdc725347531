/**
 *   POST /api/v1/announcements   (application/x-ndjson, one event per line)
 *
 *   {"action":"announce","vif":"dxvif-…","prefix":"10.0.0.0/16","asPath":[7224,64512],"communities":["7224:8100","NO_EXPORT"]}
 *   {"action":"withdraw","vif":"dxvif-…","prefix":"10.0.0.0/16"}
 *
 * Route events for feeds that are neither BMP nor MRT (a script reading
 * Direct Connect's ListVirtualInterfaceRoutes, a looking glass, a test
 * harness) go through the same pipeline: the RIB (validated on insert),
 * detection, alerts. Each VIF gets a table of its own per direction,
 * keyed by the VIF's router and the peer of the prefix's family with the
 * peer type `json`, so these routes never mix with the router's BMP view.
 *
 * All or nothing: every line is checked first; one bad line refuses the
 * whole body with the line numbers, and nothing is applied (a half-applied
 * batch would leave the RIB in a state the sender cannot know).
 */
import type { FastifyInstance } from 'fastify';
import { AsPath } from '../../bgp/as-path.js';
import { type PathAttributes, partialAttributes } from '../../bgp/attributes.js';
import { parseCommunity } from '../../bgp/attributes/communities.js';
import type { Daemon } from '../../daemon/daemon.js';
import { Prefix } from '../../net/prefix.js';
import type { RibKind } from '../../rib/peer-table.js';
import { feedTableKey } from '../../vif/feed-tables.js';
import type { Vif } from '../../vif/vif.js';
import { ERROR_SCHEMA, badRequest } from '../errors.js';

export const NDJSON = 'application/x-ndjson';
/** Lines per body. */
export const MAX_EVENTS = 100_000;

interface RouteEvent {
  readonly action: 'announce' | 'withdraw';
  readonly vif: Vif;
  readonly kind: RibKind;
  readonly peer: string;
  readonly prefix: Prefix;
  readonly pathId: number;
  readonly attributes: PathAttributes | undefined;
}


/** Checks one line; returns the event or a reason. */
function parseLine(daemon: Daemon, line: string): RouteEvent | string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'expected a JSON object';
  const known = new Set(['action', 'vif', 'prefix', 'asPath', 'communities', 'largeCommunities', 'nextHop', 'pathId', 'direction']);
  for (const k of Object.keys(o)) if (!known.has(k)) return `unknown member ${JSON.stringify(k)} (expected ${[...known].join(', ')})`;
  if (o.action !== 'announce' && o.action !== 'withdraw') return 'action: expected "announce" or "withdraw"';
  const vif = typeof o.vif === 'string' ? daemon.vifs.get(o.vif) : undefined;
  if (vif === undefined) return `vif: expected the id of a configured VIF, got ${JSON.stringify(o.vif)}`;
  const prefix = typeof o.prefix === 'string' ? Prefix.tryParse(o.prefix) : 'expected a string';
  if (typeof prefix === 'string') return `prefix: ${prefix}`;
  const direction = o.direction ?? 'received';
  if (direction !== 'received' && direction !== 'advertised') return 'direction: expected "received" (from Amazon) or "advertised" (to Amazon)';
  const pathId = o.pathId ?? 0;
  if (typeof pathId !== 'number' || !Number.isInteger(pathId) || pathId < 0 || pathId > 0xffffffff) return 'pathId: expected an integer from 0 to 4294967295';
  // One BGP session per family on a VIF: the peer of the prefix's family, else the first.
  const peer = vif.peers.find((p) => p.address.includes(':') === (prefix.afi === 6)) ?? vif.peers[0]!;
  const base = { vif, kind: (direction === 'received' ? 'adj-rib-in-pre' : 'adj-rib-out-pre') as RibKind, peer: peer.address, prefix, pathId };
  if (o.action === 'withdraw') return { ...base, action: 'withdraw', attributes: undefined };
  let asPath: AsPath;
  try {
    asPath = typeof o.asPath === 'string' ? AsPath.parse(o.asPath) : AsPath.fromJSON(o.asPath ?? []);
  } catch (err) {
    return `asPath: ${(err as Error).message}`;
  }
  const communities: number[] = [];
  for (const c of (o.communities ?? []) as unknown[]) {
    const v = parseCommunity(c);
    if (v === undefined) return `communities: ${JSON.stringify(c)} is not "asn:value" or a well-known name`;
    communities.push(v);
  }
  if (!Array.isArray(o.communities ?? [])) return 'communities: expected an array';
  const large = (o.largeCommunities ?? []) as unknown[];
  if (!Array.isArray(large) || !large.every((l) => typeof l === 'string' && /^\d{1,10}:\d{1,10}:\d{1,10}$/.test(l))) return 'largeCommunities: expected strings "global:local1:local2"';
  if (o.nextHop !== undefined && typeof o.nextHop !== 'string') return 'nextHop: expected an address';
  const attributes = partialAttributes({ origin: 'igp', asPath, nextHop: o.nextHop as string | undefined, communities, largeCommunities: large as string[] });
  return { ...base, action: 'announce', attributes };
}

export function announcementRoutes(app: FastifyInstance, daemon: Daemon): void {
  app.post<{ Body: Buffer }>(
    '/api/v1/announcements',
    {
      config: { action: 'rovd:PostAnnouncements' },
      schema: {
        tags: ['routes'],
        summary: 'Route events as NDJSON (announce/withdraw with VIF, prefix, AS path, communities) into the same pipeline as BMP',
        consumes: [NDJSON],
        response: {
          200: { type: 'object', properties: { announced: { type: 'integer' }, replaced: { type: 'integer' }, withdrawn: { type: 'integer' }, unchanged: { type: 'integer' } } },
          400: { type: 'object', properties: { ...ERROR_SCHEMA.properties, lines: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, message: { type: 'string' } } } } } },
        },
      },
    },
    async (request, reply) => {
      const text = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : String(request.body ?? '');
      const lines = text.split('\n');
      const events: RouteEvent[] = [];
      const errors: { line: number; message: string }[] = [];
      lines.forEach((line, i) => {
        if (line.trim() === '') return;
        const e = parseLine(daemon, line);
        if (typeof e === 'string') errors.push({ line: i + 1, message: e });
        else events.push(e);
      });
      if (events.length > MAX_EVENTS) throw badRequest(`body: at most ${MAX_EVENTS} events per request, got ${events.length}`);
      if (errors.length > 0) {
        return reply.code(400).send({ error: 'BadRequest', message: `${errors.length} bad line(s); nothing was applied (first: line ${errors[0]!.line}: ${errors[0]!.message})`, lines: errors.slice(0, 100) });
      }
      let announced = 0;
      let replaced = 0;
      let withdrawn = 0;
      let unchanged = 0;
      for (const e of events) {
        // A VIF without a router gets feed tables keyed by its id (src/vif/feed-tables.ts).
        const key = e.vif.router === undefined ? feedTableKey('json', e.vif.id, e.peer, e.kind) : { router: e.vif.router, peer: `json|0:0|${e.peer}`, kind: e.kind };
        const table = daemon.rib.table(key);
        if (e.action === 'withdraw') {
          if (daemon.rib.withdraw(table, e.prefix, e.pathId)) withdrawn++;
          else unchanged++;
          continue;
        }
        const outcome = daemon.rib.announce(table, e.prefix, e.pathId, e.attributes!);
        if (outcome === 'announce') announced++;
        else if (outcome === 'replace') replaced++;
        else unchanged++;
      }
      return { announced, replaced, withdrawn, unchanged };
    },
  );
}
