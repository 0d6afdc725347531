import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { UNMAPPED, VifMap } from '../../src/vif/vif-map.js';

const config = parseConfig(
  `
vifs:
  - id: dxvif-aaa
    type: private
    router: 192.0.2.1
    peers: [{ address: 169.254.0.1, asn: 7224 }, { address: "2600:1f18::1", asn: 7224 }]
  - id: dxvif-bbb
    type: transit
    router: "2001:db8::10"
    peers: [{ address: 169.254.0.1, asn: 64512 }]
`,
  'vifs.yaml',
);

t.test('a BMP peer maps to its VIF by router and peer address, in any spelling', async (t) => {
  const map = new VifMap(config.vifs);
  t.equal(map.lookup('192.0.2.1', '169.254.0.1')?.id, 'dxvif-aaa');
  t.equal(map.lookup('192.0.2.1', '2600:1F18:0000::0001')?.id, 'dxvif-aaa', 'IPv6 in another spelling');
  t.equal(map.lookup('::ffff:192.0.2.1', '::ffff:169.254.0.1')?.id, 'dxvif-aaa', 'IPv4-mapped IPv6 as BMP may carry it');
  t.equal(map.lookup('2001:db8:0::10', '169.254.0.1')?.id, 'dxvif-bbb', 'the same peer address on another router is another VIF');
  t.equal(map.lookup('192.0.2.2', '169.254.0.1'), undefined);
  t.equal(map.lookup('not an address', '169.254.0.1'), undefined);
  t.equal(map.label('192.0.2.9', '10.0.0.1'), UNMAPPED);
  t.equal(map.label('192.0.2.1', '169.254.0.1'), 'dxvif-aaa');
  t.equal(map.get('dxvif-bbb')?.type, 'transit');
});
