/**
 * The MRT decoder on records built field by field: every subtype it reads,
 * the session capabilities each implies, and the damage policy (what stops
 * the file, what is skipped and counted).
 */
import t from 'tap';
import { MrtDecoder, type MrtDecoderOptions } from '../../src/mrt/decoder.js';
import type { MrtEvent } from '../../src/mrt/events.js';
import { MrtFramer } from '../../src/mrt/framer.js';
import { MrtError } from '../../src/mrt/mrt-error.js';
import { caught } from '../helpers/errors.js';
import {
  ORIGIN_IGP,
  abbreviatedMpReach,
  asPathAttribute,
  attribute,
  bgp4mpMessage,
  bgp4mpStateChange,
  bgpMessage,
  bytes,
  mrtRecord,
  nextHopAttribute,
  peerIndexTable,
  ribRecord,
  tableDumpBody,
  u16,
  updateBody,
} from './helpers/build.js';

const PEERS = peerIndexTable('10.0.0.254', 'view', [
  { bgpId: '1.1.1.1', address: '192.0.2.1', asn: 64500 },
  { bgpId: '2.2.2.2', address: '2001:db8::2', asn: 4200000000 },
  { bgpId: '3.3.3.3', address: '192.0.2.3', asn: 64503, as4: false },
]);
const ATTRS4 = bytes(ORIGIN_IGP, asPathAttribute([64500, 4200000001], true), nextHopAttribute('192.0.2.1'));
const ATTRS6 = bytes(ORIGIN_IGP, asPathAttribute([4200000000, 65001], true), abbreviatedMpReach('2001:db8::2'));

/** Frames `stream` and decodes every record; returns a line per event, the decoder, and the error that stopped it. */
function run(stream: Uint8Array, options: MrtDecoderOptions = {}): { lines: string[]; decoder: MrtDecoder; error: unknown } {
  const decoder = new MrtDecoder(options);
  const lines: string[] = [];
  const emit = (e: MrtEvent): void => {
    lines.push(
      e.kind === 'state'
        ? `state ${e.timestamp}.${e.microseconds} ${e.peer.address} AS${e.peer.asn} ${e.oldState}->${e.newState}`
        : `${e.kind}${e.sent ? '(sent)' : ''} ${e.timestamp}.${e.microseconds} ${e.peer.address} AS${e.peer.asn} ${e.prefix}#${e.pathId} [${e.attributes?.asPath ?? '-'}]`,
    );
  };
  const error = caught(() => {
    const framer = new MrtFramer();
    for (const r of framer.push(stream)) decoder.decode(r, emit);
    framer.end();
  });
  return { lines, decoder, error };
}

t.test('TABLE_DUMP_V2: peer table, IPv4 and IPv6 RIB records, ADD-PATH variants', async (t) => {
  const { lines, decoder, error } = run(
    bytes(
      mrtRecord(13, 1, PEERS, { timestamp: 10 }),
      mrtRecord(13, 2, ribRecord(0, '198.51.100.0/24', [{ peerIndex: 0, attributes: ATTRS4 }, { peerIndex: 2, attributes: ATTRS4 }]), { timestamp: 11 }),
      mrtRecord(13, 4, ribRecord(1, '2001:db8:1::/48', [{ peerIndex: 1, attributes: ATTRS6 }]), { timestamp: 12 }),
      mrtRecord(13, 8, ribRecord(2, '203.0.113.128/25', [{ peerIndex: 0, pathId: 7, attributes: ATTRS4 }, { peerIndex: 0, pathId: 8, attributes: ATTRS4 }], true), { timestamp: 13 }),
      mrtRecord(13, 10, ribRecord(3, '2001:db8:2::/48', [{ peerIndex: 1, pathId: 9, attributes: ATTRS6 }], true), { timestamp: 14 }),
    ),
  );
  t.equal(error, undefined);
  t.same(lines, [
    'rib 11.0 192.0.2.1 AS64500 198.51.100.0/24#0 [64500 4200000001]',
    'rib 11.0 192.0.2.3 AS64503 198.51.100.0/24#0 [64500 4200000001]',
    'rib 12.0 2001:db8::2 AS4200000000 2001:db8:1::/48#0 [4200000000 65001]',
    'rib 13.0 192.0.2.1 AS64500 203.0.113.128/25#7 [64500 4200000001]',
    'rib 13.0 192.0.2.1 AS64500 203.0.113.128/25#8 [64500 4200000001]',
    'rib 14.0 2001:db8::2 AS4200000000 2001:db8:2::/48#9 [4200000000 65001]',
  ]);
  t.equal(decoder.peerIndexTable?.viewName, 'view');
  t.equal(decoder.stats.ribEntries, 6);
  t.same(decoder.stats.recordsByName(), {
    'TABLE_DUMP_V2/PEER_INDEX_TABLE': 1,
    'TABLE_DUMP_V2/RIB_IPV4_UNICAST': 1,
    'TABLE_DUMP_V2/RIB_IPV6_UNICAST': 1,
    'TABLE_DUMP_V2/RIB_IPV4_UNICAST_ADDPATH': 1,
    'TABLE_DUMP_V2/RIB_IPV6_UNICAST_ADDPATH': 1,
  });
});

t.test('TABLE_DUMP_V2: a RIB prefix with trailing bits is masked (RFC 4271 §4.3)', async (t) => {
  const b = Uint8Array.from(ribRecord(0, '198.51.100.0/23', [{ peerIndex: 0, attributes: ATTRS4 }]));
  b[7] = 101; // 198.51.101.0/23: the last bit of the third octet is past the length
  const { lines } = run(bytes(mrtRecord(13, 1, PEERS), mrtRecord(13, 2, b)));
  t.same(lines.map((l) => l.split(' ')[4]), ['198.51.100.0/23#0']);
});

t.test('skipped and counted: RIB_GENERIC, multicast RIBs, unknown types and subtypes', async (t) => {
  const { lines, decoder, error } = run(
    bytes(
      mrtRecord(13, 1, PEERS),
      mrtRecord(13, 3, ribRecord(0, '224.0.0.0/4', [{ peerIndex: 0, attributes: ATTRS4 }])),
      mrtRecord(13, 6, Uint8Array.from([1, 2, 3])),
      mrtRecord(13, 12, Uint8Array.from([1])),
      mrtRecord(16, 2, Uint8Array.from([9])),
      mrtRecord(5, 1, Uint8Array.from([9, 9])),
      mrtRecord(99, 7, new Uint8Array(0)),
      mrtRecord(12, 3, new Uint8Array(0)),
    ),
  );
  t.equal(error, undefined);
  t.same(lines, []);
  t.same(decoder.stats.skippedRecordsByName(), {
    'BGP/1': 1,
    'TABLE_DUMP/3': 1,
    'TABLE_DUMP_V2/RIB_IPV4_MULTICAST': 1,
    'TABLE_DUMP_V2/RIB_GENERIC': 1,
    'TABLE_DUMP_V2/RIB_GENERIC_ADDPATH': 1,
    'BGP4MP/ENTRY': 1,
    '99/7': 1,
  });
  t.equal(decoder.stats.skippedRecords, 7);
  t.equal(decoder.stats.records, 8);
});

t.test('TABLE_DUMP (v1): IPv4 and IPv6 entries, 2-octet AS_PATH', async (t) => {
  const attrs = bytes(ORIGIN_IGP, asPathAttribute([3333, 1103], false), nextHopAttribute('193.0.0.56'));
  const { lines, decoder, error } = run(
    bytes(
      mrtRecord(12, 1, tableDumpBody('193.0.0.0/21', '193.0.0.56', 3333, attrs), { timestamp: 20 }),
      mrtRecord(12, 2, tableDumpBody('2001:db8::/32', '2001:db8::56', 3333, attrs), { timestamp: 21 }),
    ),
  );
  t.equal(error, undefined);
  t.same(lines, ['rib 20.0 193.0.0.56 AS3333 193.0.0.0/21#0 [3333 1103]', 'rib 21.0 2001:db8::56 AS3333 2001:db8::/32#0 [3333 1103]']);
  t.equal(decoder.stats.ribEntries, 2);
});

t.test('BGP4MP and BGP4MP_ET: capabilities from the subtype, withdrawals before announcements', async (t) => {
  const peer = { peerAsn: 64496, peerAddress: '192.0.2.9' };
  const peer4 = { peerAsn: 4200000009, peerAddress: '192.0.2.9' };
  const update2 = bgpMessage(2, updateBody(['10.1.0.0/16'], [ORIGIN_IGP, asPathAttribute([64496, 64511], false), nextHopAttribute('192.0.2.9')], ['10.2.0.0/16', '10.3.0.0/16']));
  const update4 = bgpMessage(2, updateBody([], [ORIGIN_IGP, asPathAttribute([4200000009, 4200000010], true), nextHopAttribute('192.0.2.9')], ['10.4.0.0/16']));
  const updateAp = bgpMessage(2, updateBody(['10.5.0.0/16'], [ORIGIN_IGP, asPathAttribute([64496], false), nextHopAttribute('192.0.2.9')], ['10.6.0.0/16'], { '10.5.0.0/16': 5, '10.6.0.0/16': 6 }));
  const updateAp4 = bgpMessage(2, updateBody([], [ORIGIN_IGP, asPathAttribute([4200000009], true), nextHopAttribute('192.0.2.9')], ['10.7.0.0/16'], { '10.7.0.0/16': 11 }));
  const keepalive = bgpMessage(4, new Uint8Array(0));
  const { lines, decoder, error } = run(
    bytes(
      mrtRecord(16, 1, bgp4mpMessage(peer, false, update2), { timestamp: 30 }),
      mrtRecord(16, 4, bgp4mpMessage(peer4, true, update4), { timestamp: 31 }),
      mrtRecord(17, 4, bgp4mpMessage(peer4, true, update4), { timestamp: 32, microseconds: 999999 }),
      mrtRecord(16, 6, bgp4mpMessage(peer, false, update2), { timestamp: 33 }),
      mrtRecord(16, 7, bgp4mpMessage(peer4, true, update4), { timestamp: 34 }),
      mrtRecord(16, 8, bgp4mpMessage(peer, false, updateAp), { timestamp: 35 }),
      mrtRecord(16, 9, bgp4mpMessage(peer4, true, updateAp4), { timestamp: 36 }),
      mrtRecord(16, 10, bgp4mpMessage(peer, false, updateAp), { timestamp: 37 }),
      mrtRecord(16, 11, bgp4mpMessage(peer4, true, updateAp4), { timestamp: 38 }),
      mrtRecord(16, 1, bgp4mpMessage(peer, false, keepalive), { timestamp: 39 }),
      mrtRecord(16, 0, bgp4mpStateChange(peer, false, 6, 1), { timestamp: 40 }),
      mrtRecord(17, 5, bgp4mpStateChange({ peerAsn: 4200000009, peerAddress: '2001:db8::9' }, true, 5, 6), { timestamp: 41, microseconds: 7 }),
    ),
  );
  t.equal(error, undefined);
  t.same(lines, [
    'withdraw 30.0 192.0.2.9 AS64496 10.1.0.0/16#0 [-]',
    'announce 30.0 192.0.2.9 AS64496 10.2.0.0/16#0 [64496 64511]',
    'announce 30.0 192.0.2.9 AS64496 10.3.0.0/16#0 [64496 64511]',
    'announce 31.0 192.0.2.9 AS4200000009 10.4.0.0/16#0 [4200000009 4200000010]',
    'announce 32.999999 192.0.2.9 AS4200000009 10.4.0.0/16#0 [4200000009 4200000010]',
    'withdraw(sent) 33.0 192.0.2.9 AS64496 10.1.0.0/16#0 [-]',
    'announce(sent) 33.0 192.0.2.9 AS64496 10.2.0.0/16#0 [64496 64511]',
    'announce(sent) 33.0 192.0.2.9 AS64496 10.3.0.0/16#0 [64496 64511]',
    'announce(sent) 34.0 192.0.2.9 AS4200000009 10.4.0.0/16#0 [4200000009 4200000010]',
    'withdraw 35.0 192.0.2.9 AS64496 10.5.0.0/16#5 [-]',
    'announce 35.0 192.0.2.9 AS64496 10.6.0.0/16#6 [64496]',
    'announce 36.0 192.0.2.9 AS4200000009 10.7.0.0/16#11 [4200000009]',
    'withdraw(sent) 37.0 192.0.2.9 AS64496 10.5.0.0/16#5 [-]',
    'announce(sent) 37.0 192.0.2.9 AS64496 10.6.0.0/16#6 [64496]',
    'announce(sent) 38.0 192.0.2.9 AS4200000009 10.7.0.0/16#11 [4200000009]',
    'state 40.0 192.0.2.9 AS64496 6->1',
    'state 41.7 2001:db8::9 AS4200000009 5->6',
  ]);
  t.same(decoder.stats.bgpMessagesByType(), { update: 9, keepalive: 1 });
  t.equal(decoder.stats.sentUpdates, 4);
  t.equal(decoder.stats.stateChanges, 2);
});

t.test('RFC 7606 outcomes are applied: AS 0 in AS_PATH withdraws (RFC 7607), End-of-RIB counted', async (t) => {
  const peer = { peerAsn: 64496, peerAddress: '192.0.2.9' };
  const withAs0 = bgpMessage(2, updateBody([], [ORIGIN_IGP, asPathAttribute([64496, 0], true), nextHopAttribute('192.0.2.9')], ['10.8.0.0/16']));
  const eor = bgpMessage(2, updateBody([], [], []));
  const { lines, decoder } = run(bytes(mrtRecord(16, 4, bgp4mpMessage(peer, true, withAs0)), mrtRecord(16, 4, bgp4mpMessage(peer, true, eor))));
  t.same(lines.map((l) => l.split(' ')[0]), ['withdraw']);
  t.equal(decoder.stats.treatAsWithdraw, 1);
  t.equal(decoder.stats.endOfRib, 1);
  // In a RIB entry too.
  const rib = run(bytes(mrtRecord(13, 1, PEERS), mrtRecord(13, 2, ribRecord(0, '10.9.0.0/16', [{ peerIndex: 0, attributes: bytes(ORIGIN_IGP, asPathAttribute([64500, 0], true), nextHopAttribute('192.0.2.1')) }]))));
  t.same(rib.lines, ['withdraw 1700000000.0 192.0.2.1 AS64500 10.9.0.0/16#0 [-]']);
  t.equal(rib.decoder.stats.treatAsWithdraw, 1);
});

t.test('skipped and counted: inner BGP messages and RIB attribute blocks that do not parse', async (t) => {
  const peer = { peerAsn: 64496, peerAddress: '192.0.2.9' };
  const good = bgpMessage(2, updateBody([], [ORIGIN_IGP, asPathAttribute([64496], false), nextHopAttribute('192.0.2.9')], ['10.2.0.0/16']));
  const badMarker = Uint8Array.from(good);
  badMarker[3] = 0;
  const overrun = bgpMessage(2, bytes(u16(0), u16(200), ORIGIN_IGP));
  const trailing = bytes(good, [0]);
  const badAttrs = bytes(ORIGIN_IGP, attribute(0x40, 2, [2, 9, 0, 1])); // AS_PATH segment of 9 ASNs in 2 octets
  const blockOverrun = bytes(ORIGIN_IGP, [0x40, 2, 50, 2, 1]); // treat-as-withdraw (RFC 7606 §4)
  const badMpReach = bytes(ORIGIN_IGP, asPathAttribute([1], true), attribute(0x80, 14, [0, 2, 1, 16, 1])); // session reset (RFC 7606 §7.11)
  const { lines, decoder, error } = run(
    bytes(
      mrtRecord(16, 1, bgp4mpMessage(peer, false, badMarker)),
      mrtRecord(16, 1, bgp4mpMessage(peer, false, overrun)),
      mrtRecord(16, 1, bgp4mpMessage(peer, false, trailing)),
      mrtRecord(16, 1, bgp4mpMessage(peer, false, good)),
      mrtRecord(13, 1, PEERS),
      mrtRecord(13, 2, ribRecord(0, '10.3.0.0/16', [{ peerIndex: 0, attributes: blockOverrun }, { peerIndex: 2, attributes: ATTRS4 }, { peerIndex: 0, attributes: badAttrs }, { peerIndex: 0, attributes: badMpReach }])),
    ),
  );
  t.equal(error, undefined, 'nothing stops the file');
  t.same(lines.map((l) => l.split(' ').slice(0, 3).join(' ')), ['announce 1700000000.0 192.0.2.9', 'withdraw 1700000000.0 192.0.2.1', 'rib 1700000000.0 192.0.2.3', 'withdraw 1700000000.0 192.0.2.1']);
  t.equal(decoder.stats.bgpErrors, 4);
  const errors = decoder.stats.errors;
  t.equal(errors.length, 4);
  t.ok(errors.every((e) => e instanceof MrtError));
  t.match(errors[0], { field: 'bgp.header.marker', recordOffset: 0, recordType: 16, recordSubtype: 1 });
  t.match(errors[1], { kind: 'malformed', recordOffset: 72 }, 'attribute length past the UPDATE');
  t.match(errors[2], { field: 'bgp4mp.message', kind: 'malformed' });
  t.match(errors[3], { recordType: 13, recordSubtype: 2 });
  t.equal(decoder.stats.treatAsWithdraw, 2, 'an attribute overrunning the block and a malformed AS_PATH are treat-as-withdraw (RFC 7606 §4, §7.2)');
});

t.test('damage that stops the file, with the record offset and type', async (t) => {
  const first = mrtRecord(13, 1, PEERS);
  const rib = mrtRecord(13, 2, ribRecord(0, '10.0.0.0/8', [{ peerIndex: 0, attributes: ATTRS4 }]));
  const noTable = run(rib);
  t.match(noTable.error, { name: 'MrtError', kind: 'needs-session-state', field: 'rib.entry.peerIndex', recordOffset: 0, recordType: 13, recordSubtype: 2 });
  const badIndex = run(bytes(first, mrtRecord(13, 2, ribRecord(0, '10.0.0.0/8', [{ peerIndex: 0, attributes: ATTRS4 }, { peerIndex: 3, attributes: ATTRS4 }]))), { damagedRecords: 'skip' });
  t.match(badIndex.error, { kind: 'malformed', field: 'rib.entry.peerIndex', recordOffset: first.length });
  t.same(badIndex.lines, [], 'nothing of the record is emitted');
  const shortTable = run(bytes(mrtRecord(13, 1, PEERS.subarray(0, PEERS.length - 1)), rib), { damagedRecords: 'skip' });
  t.match(shortTable.error, { kind: 'truncated', recordType: 13, recordSubtype: 1 });
  const longTable = run(bytes(mrtRecord(13, 1, bytes(PEERS, [0])), rib));
  t.match(longTable.error, { kind: 'malformed', field: 'peerIndexTable', reason: undefined });

  // A record whose own fields do not parse: stops by default, skipped with 'skip'.
  const trailingRib = mrtRecord(13, 2, bytes(ribRecord(0, '10.0.0.0/8', [{ peerIndex: 0, attributes: ATTRS4 }]), [0]));
  const badPrefix = Uint8Array.from(ribRecord(0, '10.0.0.0/8', [{ peerIndex: 0, attributes: ATTRS4 }]));
  badPrefix[4] = 33;
  const badAfi = Uint8Array.from(bgp4mpStateChange({ peerAsn: 1, peerAddress: '192.0.2.1' }, false, 1, 2));
  badAfi[7] = 3;
  const shortState = mrtRecord(16, 0, Uint8Array.from([0, 0, 0, 0, 0, 3, 0, 4]));
  const hostBits = Uint8Array.from(tableDumpBody('10.0.0.0/8', '192.0.2.1', 1, ATTRS4));
  hostBits[5] = 1;
  const damaged = [trailingRib, mrtRecord(13, 2, badPrefix), mrtRecord(16, 0, badAfi), shortState, mrtRecord(12, 1, hostBits), mrtRecord(12, 1, bytes(tableDumpBody('10.0.0.0/8', '192.0.2.1', 1, ATTRS4), [1]))];
  const fields = ['rib', 'rib.length', 'bgp4mp.afi', 'bgp4mp.afi', 'tableDump.prefix', 'tableDump'];
  for (const [i, record] of damaged.entries()) {
    const strict = run(bytes(first, record));
    t.ok(strict.error instanceof MrtError);
    t.match(strict.error, { field: fields[i], recordOffset: first.length });
    const lenient = run(bytes(first, record, rib), { damagedRecords: 'skip' });
    t.equal(lenient.error, undefined);
    t.equal(lenient.decoder.stats.damagedRecords, 1);
    t.equal(lenient.lines.length, 1, 'the next record is read');
  }
  t.match((run(bytes(first, trailingRib), { source: 'x.mrt' }).error as Error).message, /^x\.mrt: TABLE_DUMP_V2\/RIB_IPV4_UNICAST record at offset \d+: malformed: rib at offset \d+: 1 trailing bytes$/);
});

t.test('a RIB entry count the record cannot hold is refused before allocating', async (t) => {
  const body = bytes([0, 0, 0, 0], [8, 10], u16(65535));
  const { error } = run(bytes(mrtRecord(13, 1, PEERS), mrtRecord(13, 2, body)));
  t.match(error, { kind: 'truncated', field: 'rib.entries', required: 65535 * 8 });
});
