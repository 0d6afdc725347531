/**
 * The VRP sets alerts name, by content identifier:
 *
 *   GET /api/v1/vrps/{cid}
 *     Accept: application/json (default)   the set as JSON, streamed:
 *       { "metadata": { "cid", "generatedAt", "lastPublishedAt", "counts": { "vrps", "ipv4", "ipv6", "aspas" } },
 *         "roas":  [ { "asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe" }, … ],
 *         "aspas": [ { "customer": "AS64500", "providers": ["AS7224"], "ta": "ripe" }, … ] }
 *       (Routinator's jsonext/json member names; generatedAt is when rovd first published the set)
 *     Accept: application/vnd.ipld.car     every block of the set as a CAR v1 file, root first:
 *       what `ipfs dag import` or any IPLD tool takes, and what lets a
 *       third party check the CID itself
 *     Accept: application/vnd.ipld.dag-cbor  one block: the root, or `?block=CID` for one of its children
 *
 * `{cid}` must be a CIDv1 (dag-cbor, sha2-256), the form in alerts
 * (`bafyrei…`): anything else is 400; a set rovd does not keep is 404.
 * Every block is checked against its CID as it is read; a damaged one is
 * a 500 naming the block, never wrong data.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import type { Logger } from '../../log/logger.js';
import { NOOP_LOGGER } from '../../log/logger.js';
import { formatV4, formatV6 } from '../../net/prefix.js';
import type { Aspa } from '../../rpki/aspa.js';
import type { VrpColumns } from '../../rpki/vrp-table.js';
import { BlockError } from '../../store/block-store.js';
import { CAR_CONTENT_TYPE, carChunks } from '../../store/car.js';
import { type StoredVrpSet, VrpSetNotFoundError, type VrpSnapshots } from '../../store/vrp-snapshots.js';
import { ERROR_SCHEMA, badRequest, notFound, sendError } from '../errors.js';

export const DAG_CBOR_CONTENT_TYPE = 'application/vnd.ipld.dag-cbor';
const CHUNK_CHARS = 64 * 1024;

/** A CID as a VRP set can have it, or a 400 naming the part of the request. */
function setCid(text: string, where: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (err) {
    throw badRequest(`${where}: ${JSON.stringify(text)} is not a CID (${(err as Error).message})`);
  }
  if (cid.version !== 1 || cid.code !== dagCbor.code || cid.multihash.code !== sha256.code) {
    throw badRequest(`${where}: ${JSON.stringify(text)} is not a VRP set identifier (CIDv1, dag-cbor, sha2-256)`);
  }
  return cid;
}

export function vrpRoutes(app: FastifyInstance, sets: VrpSnapshots, log: Logger = NOOP_LOGGER): void {
  app.get<{ Params: { cid: string }; Querystring: { block?: string } }>(
    '/api/v1/vrps/:cid',
    {
      config: { action: 'rovd:GetVrps' },
      schema: {
        tags: ['validity'],
        summary: 'A VRP set by its CID (the evidence.vrpSet of an alert): JSON, a CAR of its blocks, or one DAG-CBOR block',
        description:
          'Content negotiation by Accept: `application/json` (default; streamed, Routinator member names), `application/vnd.ipld.car` (CAR v1, every block, root first), `application/vnd.ipld.dag-cbor` (the root block, or `?block=CID` for a child block of this set). Every block is verified against its CID when read.',
        params: { type: 'object', required: ['cid'], properties: { cid: { type: 'string', minLength: 1, maxLength: 128 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { block: { type: 'string', minLength: 1, maxLength: 128 } } },
        response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const cid = setCid(request.params.cid, 'params/cid');
      const key = cid.toString();
      if (sets.info(key) === undefined) throw notFound(`no VRP set ${key} is kept (rovd keeps the sets alerts name and the last store.keepVrpSets published)`);
      const accept = request.headers.accept ?? '';
      const wants = (type: string) => accept.split(',').some((part) => part.trim().split(';')[0]!.trim().toLowerCase() === type);
      const blockParam = request.query.block;
      try {
        if (wants(DAG_CBOR_CONTENT_TYPE)) {
          const block = blockParam === undefined ? cid : setCid(blockParam, 'querystring/block');
          if (!sets.holds(key, block.toString())) throw notFound(`block ${block} is not part of VRP set ${key}`);
          const bytes = await sets.block(block);
          return reply.type(DAG_CBOR_CONTENT_TYPE).header('etag', `"${block}"`).header('cache-control', 'public, max-age=31536000, immutable').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        }
        if (blockParam !== undefined) throw badRequest(`querystring/block: only with Accept: ${DAG_CBOR_CONTENT_TYPE}`);
        if (wants('application/vnd.ipld.car')) {
          // The root is read (and verified) before the status goes out; later blocks are verified as they stream.
          const blocks = sets.blocksOf(cid);
          const first = await blocks.next();
          const all = (async function* () {
            if (first.done !== true) yield first.value;
            yield* blocks;
          })();
          const stream = Readable.from(carChunks(cid, all));
          stream.on('error', (err) => log.error({ err, cid: key }, 'http: a VRP set CAR stream failed'));
          return reply.type(CAR_CONTENT_TYPE).header('etag', `"${key}"`).header('content-disposition', `attachment; filename="${key}.car"`).send(stream);
        }
        const set = await sets.read(cid);
        return reply.type('application/json; charset=utf-8').header('etag', `"${key}"`).send(Readable.from(vrpSetJson(set)));
      } catch (err) {
        if (err instanceof VrpSetNotFoundError) throw notFound(err.message);
        if (err instanceof BlockError) {
          log.error({ err, cid: key, block: err.cid }, 'http: a VRP set block is missing or damaged');
          return sendError(reply as FastifyReply, 500, 'InternalError', `VRP set ${key} cannot be served: ${err.message}`);
        }
        throw err;
      }
    },
  );
}

/** The set as JSON text in ~64 KiB chunks, written from the columns (no object per VRP). */
export function* vrpSetJson(set: StoredVrpSet): Generator<string> {
  const { info, vrps, aspas } = set;
  const metadata = {
    cid: info.cid,
    generatedAt: new Date(info.firstPublishedAt).toISOString(),
    lastPublishedAt: new Date(info.lastPublishedAt).toISOString(),
    counts: info.counts,
  };
  const tas = vrps.tas.map((ta) => JSON.stringify(ta === '' ? 'N/A' : ta));
  let chunk = `{"metadata":${JSON.stringify(metadata)},"roas":[`;
  let first = true;
  for (const c of [vrps.v4, vrps.v6]) {
    for (let i = 0; i < c.count; i++) {
      chunk += `${first ? '' : ','}\n{"asn":"AS${c.asn[i]}","prefix":"${prefixText(c, i)}","maxLength":${c.maxLength[i]},"ta":${tas[c.ta[i]!]}}`;
      first = false;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
  }
  chunk += '\n],"aspas":[';
  chunk += aspas.map((a) => `\n${JSON.stringify(aspaJson(a))}`).join(',');
  yield `${chunk}\n]}\n`;
}

function aspaJson(a: Aspa): object {
  const same = a.ipv4Providers.length === a.ipv6Providers.length && a.ipv4Providers.every((p, i) => p === a.ipv6Providers[i]);
  const as = (list: readonly number[]) => list.map((p) => `AS${p}`);
  return {
    customer: `AS${a.customer}`,
    ...(same ? { providers: as(a.ipv4Providers) } : { providers: as([...new Set([...a.ipv4Providers, ...a.ipv6Providers])].sort((x, y) => x - y)), ipv4Providers: as(a.ipv4Providers), ipv6Providers: as(a.ipv6Providers) }),
    ta: a.ta === '' ? 'N/A' : a.ta,
  };
}

function prefixText(c: VrpColumns, i: number): string {
  const w = c.words;
  if (c.stride === 1) return `${formatV4(w[i]!)}/${c.length[i]}`;
  const b = i * 4;
  return `${formatV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!)}/${c.length[i]}`;
}
