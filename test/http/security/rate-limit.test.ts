/** The token bucket: bounded client table, IPv6 keyed by /64, mapped IPv4 as IPv4. */
import t from 'tap';
import { RateLimiter, clientKey } from '../../../src/http/security/rate-limit.js';

t.test('client keys', async (t) => {
  t.equal(clientKey('192.0.2.7'), '192.0.2.7');
  t.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
  t.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  t.equal(clientKey('2001:db8:1:2:bbbb::9'), clientKey('2001:db8:1:2:aaaa::1'), 'one /64, one bucket');
});

t.test('the table stays bounded, least recently seen first out', async (t) => {
  let now = 0;
  const limiter = new RateLimiter({ perSecond: 1, burst: 1, maxClients: 3, now: () => now });
  t.equal(limiter.take('192.0.2.1').allowed, true);
  t.same(limiter.take('192.0.2.1'), { allowed: false, retryAfterSeconds: 1 });
  for (let i = 2; i <= 100; i++) limiter.take(`192.0.2.${i}`);
  t.equal(limiter.size, 3);
  t.equal(limiter.take('192.0.2.1').allowed, true, 'an evicted client returns with a full bucket');
  now += 10_000;
  t.equal(limiter.take('192.0.2.100').allowed, true);
  t.throws(() => new RateLimiter({ perSecond: 0, burst: 1 }), RangeError);
});
