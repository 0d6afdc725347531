import t from 'tap';
import { addPathKey, Afi, afiName, capabilities, maxMessageLength, Safi, safiName } from '../../src/bgp/capabilities.js';

t.test('addPathKey is "afi/safi"', async (t) => {
  t.equal(addPathKey(1, 1), '1/1');
  t.equal(addPathKey(Afi.ipv6, Safi.mplsVpn), '2/128');
});

t.test('capabilities(): ADD-PATH keys, defaults, frozen', async (t) => {
  const c = capabilities({ asn4: true, addPath: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }, { afi: 1, safi: 1 }] });
  t.equal(c.asn4, true);
  t.equal(c.extendedMessage, false);
  t.same([...c.addPath].sort(), ['1/1', '2/1']);
  t.ok(Object.isFrozen(c));
  const d = capabilities({ asn4: false, extendedMessage: true });
  t.equal(d.addPath.size, 0);
  t.equal(d.extendedMessage, true);
});

t.test('names for logs', async (t) => {
  t.equal(afiName(1), 'ipv4');
  t.equal(afiName(2), 'ipv6');
  t.equal(afiName(25), '25');
  t.equal(safiName(1), 'unicast');
  t.equal(safiName(2), 'multicast');
  t.equal(safiName(128), 'mplsVpn');
  t.equal(safiName(70), '70');
});

t.test('maxMessageLength: 4,096, or 65,535 with extended messages (RFC 8654)', async (t) => {
  t.equal(maxMessageLength(capabilities({ asn4: true })), 4096);
  t.equal(maxMessageLength(capabilities({ asn4: true, extendedMessage: true })), 65535);
});
