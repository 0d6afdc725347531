/**
 * Every MRT file of the public corpus (bgpdump, bgpkit-parser, libbgpstream,
 * mrtparse) walked to its end, or to its documented damage, with typed
 * errors only. Record counts are the ones corpus/SOURCES.md lists (counted
 * by an independent walker); route counts are what rovd emits.
 */
import t from 'tap';
import { MrtDecoder, type MrtDecoderOptions } from '../../src/mrt/decoder.js';
import { MrtError } from '../../src/mrt/mrt-error.js';
import { readMrtFile } from '../../src/mrt/source.js';
import type { MrtStats } from '../../src/mrt/stats.js';
import { corpusPath, haveCorpus } from '../helpers/corpus.js';

interface Expected {
  /** Records read (SOURCES.md), up to the damage if any. */
  readonly records: number;
  readonly routes?: { rib?: number; announce?: number; withdraw?: number };
  readonly skipped?: Record<string, number>;
  readonly bgpErrors?: number;
  readonly damagedRecords?: number;
  /** The MrtError that stops the file. */
  readonly error?: Partial<Record<'kind' | 'field' | 'recordOffset' | 'recordType' | 'recordSubtype', unknown>>;
  readonly options?: MrtDecoderOptions;
}

const FILES: Record<string, Expected> = {
  'bgpdump/test_data/bview.20020722.2337.gz': { records: 115521, routes: { rib: 115521 } },
  'bgpdump/test_data/bview.64k_stream_overflow.gz': { records: 2, routes: { rib: 23 } },
  'bgpdump/test_data/bview.ipv4_unicast_add_path.gz': { records: 32, routes: { rib: 62 } },
  'bgpdump/test_data/bview.ipv6_unicast_add_path.gz': { records: 32, routes: { rib: 62 } },
  'bgpdump/test_data/updates.20020722.2238.gz': { records: 1121 },
  'bgpdump/test_data/updates.20070211.0141.gz': { records: 23394 },
  'bgpdump/test_data/updates.20071015.1505.gz': { records: 4297 },
  'bgpdump/test_data/updates.20100722.2015.gz': { records: 2193 },
  'bgpdump/test_data/updates.20160811.1600.gz': { records: 17406 },
  'bgpdump/test_data/updates.et-header.2015.gz': { records: 89686 },
  'bgpdump/test_data/updates.long_withdrawal.gz': { records: 1, routes: { withdraw: 4096 } },
  'bgpdump/test_data/updates.nlri_mask_trailing_bits.gz': { records: 1, bgpErrors: 1 },
  'bgpkit-parser/examples/local_only/updates.bz2': { records: 85, routes: { announce: 159, withdraw: 109 } },
  // Deprecated type 5 BGP records (RFC 6396 Appendix B): skipped and counted.
  'bgpkit-parser/ripe/rrc00/1999.09/updates.19990903.1041.gz': { records: 24242, skipped: { 'BGP/1': 24216, 'BGP/3': 4, 'BGP/5': 1, 'BGP/7': 21 } },
  'bgpkit-parser/ripe/rrc00/1999.12/updates.19991214.1621.gz': { records: 18203, skipped: { 'BGP/1': 18054, 'BGP/3': 27, 'BGP/5': 1, 'BGP/6': 1, 'BGP/7': 120 } },
  'bgpkit-parser/ripe/rrc00/2000.01/updates.20000102.2014.gz': { records: 3957, skipped: { 'BGP/1': 3818, 'BGP/3': 16, 'BGP/7': 123 } },
  // Damaged (bgpkit-parser/ripe/README.md): entries batched in one record declared 4 octets short.
  'bgpkit-parser/ripe/rrc00/2000.01/bview.20000111.0032.gz': {
    records: 1,
    error: { kind: 'malformed', field: 'tableDump', recordOffset: 0, recordType: 12, recordSubtype: 1 },
  },
  // Damaged: two broken record boundaries; the third header after them declares 3.7 GB.
  'bgpkit-parser/ripe/rrc00/2000.03/updates.20000325.0345.gz': {
    records: 6,
    skipped: { 'BGP/1': 4, 'BGP/7': 1, '32305/28353': 1 },
    error: { kind: 'malformed', field: 'mrt.header.length', recordOffset: 15024, recordType: 51388, recordSubtype: 32824 },
  },
  // Zebra 2000: 8-octet STATE_CHANGE bodies and OPENs without addresses. Strict: stops at the first.
  'bgpkit-parser/ripe/rrc01/2000.11/updates.20001104.0124.gz': {
    records: 35,
    error: { kind: 'malformed', field: 'bgp4mp.afi', recordOffset: 1893, recordType: 16, recordSubtype: 0 },
  },
  'bgpkit-parser/ripe/rrc03/2010.02/updates.20100227.1600.first-796-records.gz': { records: 796 },
  'bgpkit-parser/ripe/rrc15/2010.02/updates.20100227.1600.gz': { records: 6615 },
  'bgpkit-parser/ripe/rrc15/2010.02/updates.20100227.1610.gz': { records: 1953 },
  'libbgpstream/test-dumps/ris.rrc06.updates.1401488100.gz': { records: 1561 },
  'libbgpstream/test-dumps/routeviews.route-views.jinx.ribs.1401487200.bz2': { records: 497408, routes: { rib: 503590 } },
  'libbgpstream/test-dumps/routeviews.route-views.jinx.updates.1401493500.bz2': { records: 644 },
  'libbgpstream/test/ris.rrc06.updates.1427846400.gz': { records: 795 },
  'libbgpstream/test/routeviews.route-views.jinx.updates.1427846400.bz2': { records: 1756 },
  'mrtparse/bird-mrtdump_bgp': { records: 27, routes: { announce: 12 } },
  'mrtparse/bird-mrtdump_rib': { records: 14, routes: { rib: 18 } },
  'mrtparse/bird6-mrtdump_bgp': { records: 27, routes: { announce: 12 } },
  'mrtparse/bird6-mrtdump_rib': { records: 9, routes: { rib: 10 } },
  // BIRD wrote ADD-PATH NLRI in plain MESSAGE_AS4 records (before RFC 8050): as the subtype
  // says no ADD-PATH, those UPDATEs do not parse and are skipped and counted.
  'mrtparse/bird6_bgp': { records: 29, bgpErrors: 6 },
  'mrtparse/bird_bgp': { records: 29, bgpErrors: 6 },
  'mrtparse/openbgpd_bgp': { records: 87, routes: { announce: 93 } },
  'mrtparse/openbgpd_rib_table': { records: 31, routes: { rib: 31 } },
  'mrtparse/openbgpd_rib_table-mp': { records: 31, skipped: { 'BGP4MP/ENTRY': 31 } },
  'mrtparse/openbgpd_rib_table-v2': { records: 24, routes: { rib: 31 }, skipped: { 'TABLE_DUMP_V2/RIB_GENERIC': 2 } },
  'mrtparse/quagga_bgp': { records: 67, routes: { announce: 18 } },
  'mrtparse/quagga_rib': { records: 7, routes: { rib: 9 } },
};

async function walk(path: string, options: MrtDecoderOptions): Promise<{ stats: MrtStats; events: number; error: unknown }> {
  const decoder = new MrtDecoder({ ...options, source: path });
  let events = 0;
  let error: unknown;
  try {
    for await (const batch of readMrtFile(corpusPath(path))) for (const r of batch) decoder.decode(r, () => events++);
  } catch (err) {
    error = err;
  }
  return { stats: decoder.stats, events, error };
}

for (const [file, expected] of Object.entries(FILES)) {
  t.test(file, async (t) => {
    if (!haveCorpus(t, file)) return;
    const { stats, events, error } = await walk(file, expected.options ?? {});
    if (expected.error) {
      t.ok(error instanceof MrtError, 'stopped with an MrtError');
      t.match(error, expected.error);
    } else {
      t.equal(error, undefined, 'read to the end');
    }
    t.equal(stats.records, expected.records, 'records');
    t.same(stats.skippedRecordsByName(), expected.skipped ?? {}, 'records skipped');
    t.equal(stats.bgpErrors, expected.bgpErrors ?? 0, 'BGP messages skipped');
    t.equal(stats.damagedRecords, expected.damagedRecords ?? 0);
    const routes = { rib: stats.ribRoutes, announce: stats.announced, withdraw: stats.withdrawn };
    if (expected.routes) t.match(routes, expected.routes, 'routes');
    t.equal(events, routes.rib + routes.announce + routes.withdraw + stats.stateChanges, 'one event per route and state change');
  });
}

t.test('the 2000 Zebra file with damagedRecords: skip reads to the end, 63 records skipped and counted', async (t) => {
  const file = 'bgpkit-parser/ripe/rrc01/2000.11/updates.20001104.0124.gz';
  if (!haveCorpus(t, file)) return;
  const { stats, error } = await walk(file, { damagedRecords: 'skip' });
  t.equal(error, undefined);
  t.equal(stats.records, 1286);
  // 42 STATE_CHANGE bodies of 8 octets and 21 OPENs with no AFI or addresses (SOURCES.md: "badmarker:21").
  t.equal(stats.damagedRecords, 63);
  t.equal(stats.errors.length, 20, 'the first 20 kept');
  t.match(stats.errors[0], { recordOffset: 1893, field: 'bgp4mp.afi' });
  t.match(stats.bgpMessagesByType(), { update: 266, keepalive: 618 });
});

t.test('the jinx RIB: 14 peers in the PEER_INDEX_TABLE, every entry attributed', async (t) => {
  const file = 'libbgpstream/test-dumps/routeviews.route-views.jinx.ribs.1401487200.bz2';
  if (!haveCorpus(t, file)) return;
  const decoder = new MrtDecoder();
  const perPeer = new Map<string, number>();
  for await (const batch of readMrtFile(corpusPath(file))) {
    for (const r of batch) {
      decoder.decode(r, (e) => {
        if (e.kind !== 'rib') return;
        perPeer.set(e.peer.address, (perPeer.get(e.peer.address) ?? 0) + 1);
      });
    }
  }
  t.equal(decoder.peerIndexTable?.peers.length, 14);
  t.equal([...perPeer.values()].reduce((a, b) => a + b, 0), 503590);
  t.ok(perPeer.size <= 14);
  t.equal(decoder.stats.bgpErrors, 0);
});
