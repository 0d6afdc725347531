import t from 'tap';
import { serialBefore, serialNext } from '../../src/rtr/serial.js';

t.test('RFC 1982 order, across the wrap', async (t) => {
  t.ok(serialBefore(1, 2));
  t.notOk(serialBefore(2, 1));
  t.notOk(serialBefore(5, 5));
  t.ok(serialBefore(4294967295, 0), '0 follows the largest serial');
  t.ok(serialBefore(4294967000, 100));
  t.notOk(serialBefore(100, 4294967000));
  t.ok(serialBefore(0, 0x7fffffff));
  t.notOk(serialBefore(0, 0x80000000), 'a gap of 2^31 is undefined: not before');
  t.equal(serialNext(4294967295), 0);
  t.equal(serialNext(7), 8);
});
