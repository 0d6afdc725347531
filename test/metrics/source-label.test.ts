/** Source names as labels: paths and names as they are, URLs without credentials or query. */
import t from 'tap';
import { sourceLabel } from '../../src/metrics/source-label.js';

t.test('paths and plain names are kept', async (t) => {
  t.equal(sourceLabel('/var/lib/rpki/vrps.json'), '/var/lib/rpki/vrps.json');
  t.equal(sourceLabel('routinator-export'), 'routinator-export');
});

t.test('URLs keep scheme, host and path only', async (t) => {
  t.equal(sourceLabel('https://user:s3cret@rpki.example.net:8323/json?token=abc#x'), 'https://rpki.example.net:8323/json');
  t.equal(sourceLabel('http://[2001:db8::1]/vrps.json'), 'http://[2001:db8::1]/vrps.json');
  t.notMatch(sourceLabel('https://a:b@h/p?k=v'), /b@|k=v/);
});
