import t from 'tap';
import { addressIn, canonicalAddress } from '../../src/net/address.js';
import { Prefix } from '../../src/net/prefix.js';

t.test('canonical address text', async (t) => {
  t.equal(canonicalAddress('192.0.2.1'), '192.0.2.1');
  t.equal(canonicalAddress('2001:DB8:0:0:0::1'), '2001:db8::1', 'RFC 5952');
  t.equal(canonicalAddress('::ffff:192.0.2.1'), '192.0.2.1', 'IPv4-mapped becomes IPv4');
  t.equal(canonicalAddress('::ffff:c000:201'), '192.0.2.1');
  t.equal(canonicalAddress('::1'), '::1');
  for (const bad of ['', '192.0.2', '192.0.2.256', 'fe80::1%eth0', 'host.example', '1::2::3']) t.equal(canonicalAddress(bad), undefined, JSON.stringify(bad));
});

t.test('addressIn', async (t) => {
  t.ok(addressIn('127.0.0.1', Prefix.parse('127.0.0.0/8')));
  t.ok(addressIn('::ffff:127.0.0.1', Prefix.parse('127.0.0.0/8')));
  t.notOk(addressIn('10.0.0.1', Prefix.parse('127.0.0.0/8')));
  t.notOk(addressIn('::1', Prefix.parse('127.0.0.0/8')));
  t.ok(addressIn('::1', Prefix.parse('::1/128')));
  t.notOk(addressIn('garbage', Prefix.parse('0.0.0.0/0')));
});
