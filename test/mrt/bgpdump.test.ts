/**
 * Every bgpdump regression input decoded by rovd and compared with
 * bgpdump's own expected output (corpus/bgpdump/test_expect, `bgpdump -m`):
 * every line, as a multiset of (kind, peer address, peer AS, prefix, path
 * id, AS path) and, for STATE lines, (peer, old state, new state).
 *
 * Where a line cannot match, the difference is a known class, counted here
 * per file; after removing them nothing may be left on either side:
 * - ipv6Text: bgpdump prints `2001:7f8:30::2:1:0:8447`, shortening one zero
 *   group with "::", which RFC 5952 §4.2.2 forbids; rovd prints
 *   `2001:7f8:30:0:2:1:0:8447`. The lines are compared after reading
 *   bgpdump's address into canonical form (same address, other text).
 * - multicast: bgpdump prints the IPv4 multicast (AFI 1, SAFI 2) NLRI of
 *   MP_REACH/MP_UNREACH; rovd validates unicast routes only and counts
 *   them as skipped (stats.skippedNlri['1/2'] equals the lines missing).
 * - as0: an AS_PATH containing AS 0 is treat-as-withdraw (RFC 7607 §2,
 *   RFC 7606); bgpdump prints the UPDATE's prefixes as announcements, rovd
 *   as withdrawals of the same prefixes.
 * - nlriOverrun: an UPDATE whose NLRI field ends inside an entry (a length
 *   byte with no prefix bytes after it) cannot be parsed (RFC 7606 §5.3:
 *   session reset); bgpdump prints the prefix before the overrun, rovd
 *   skips the message and counts it (stats.bgpErrors).
 * The GPL-licensed bgpdump files are read in place (haveCorpus).
 */
import t from 'tap';
import { MrtDecoder } from '../../src/mrt/decoder.js';
import { readMrtFile } from '../../src/mrt/source.js';
import { Prefix } from '../../src/net/prefix.js';
import { corpusPath, haveCorpus } from '../helpers/corpus.js';
import { bgpdumpLines, eventKey, multisetMinus } from './helpers/bgpdump.js';

interface Classes {
  ipv6Text?: number;
  multicast?: number;
  as0?: number;
  nlriOverrun?: number;
}

const FILES: Record<string, Classes> = {
  'bview.20020722.2337.gz': {},
  'bview.64k_stream_overflow.gz': {},
  'bview.ipv4_unicast_add_path.gz': {},
  'bview.ipv6_unicast_add_path.gz': {},
  'updates.20020722.2238.gz': {},
  'updates.20070211.0141.gz': { multicast: 151 },
  'updates.20071015.1505.gz': {},
  'updates.20100722.2015.gz': { ipv6Text: 42 },
  'updates.20160811.1600.gz': {},
  'updates.et-header.2015.gz': { as0: 4 },
  'updates.long_withdrawal.gz': {},
  'updates.nlri_mask_trailing_bits.gz': { nlriOverrun: 1 },
};

/** bgpdump's peer address in RFC 5952 form; counts the lines it changed. */
function canonicalPeer(key: string, counter: { n: number }): string {
  const f = key.split('|');
  if (!f[1]!.includes(':')) return key;
  const canonical = Prefix.parse(`${f[1]}/128`).addressText();
  if (canonical === f[1]) return key;
  counter.n++;
  f[1] = canonical;
  return f.join('|');
}

for (const [file, expectedClasses] of Object.entries(FILES)) {
  t.test(`bgpdump/${file}`, async (t) => {
    const input = `bgpdump/test_data/${file}`;
    const expect = `bgpdump/test_expect/${file}.bgp.gz`;
    if (!haveCorpus(t, input) || !haveCorpus(t, expect)) return;
    const decoder = new MrtDecoder({ source: input });
    const ours: string[] = [];
    for await (const batch of readMrtFile(corpusPath(input))) for (const record of batch) decoder.decode(record, (e) => ours.push(eventKey(e)));
    const ipv6 = { n: 0 };
    const theirs = (await bgpdumpLines(corpusPath(expect))).map((k) => canonicalPeer(k, ipv6));
    let missing = multisetMinus(theirs, ours);
    let extra = multisetMinus(ours, theirs);
    const classes: Classes = {};
    if (ipv6.n > 0) classes.ipv6Text = ipv6.n;

    // as0: an announcement with AS 0 in its path, against our withdrawal of the same route.
    const as0 = missing.filter((k) => k.startsWith('A|') && k.split('|')[5]!.split(' ').includes('0'));
    if (as0.length > 0) {
      const withdrawals = as0.map((k) => `W|${k.split('|').slice(1, 5).join('|')}|`);
      t.same(multisetMinus(withdrawals, extra), [], 'each AS 0 announcement is one of our withdrawals');
      extra = multisetMinus(extra, withdrawals);
      missing = multisetMinus(missing, as0);
      classes.as0 = as0.length;
      t.ok(decoder.stats.treatAsWithdraw >= 1);
    }
    const multicast = decoder.stats.skippedNlri()['1/2'] ?? 0;
    if (multicast > 0) {
      t.equal(missing.length, multicast, 'the lines missing are exactly the IPv4 multicast NLRI skipped');
      classes.multicast = missing.length;
      missing = [];
    }
    if (decoder.stats.bgpErrors > 0) {
      t.match(decoder.stats.errors[0], { kind: 'truncated', field: 'bgp.update.nlri.prefix' });
      t.equal(missing.length, 1, 'one prefix before the overrun');
      classes.nlriOverrun = missing.length;
      missing = [];
    }
    t.same(classes, expectedClasses, 'differences by class');
    t.same(missing, [], 'no other bgpdump line missing');
    t.same(extra, [], 'no other rovd event extra');
    t.equal(ours.length + (classes.multicast ?? 0) + (classes.nlriOverrun ?? 0), theirs.length, `${theirs.length} lines`);
  });
}
