import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { RpkiFeed } from '../../src/daemon/rpki-feed.js';
import { Prefix } from '../../src/net/prefix.js';
import type { Asn } from '../../src/net/asn.js';
import { Validator } from '../../src/rov/validator.js';
import { RovState } from '../../src/rov/validity.js';
import { FakeCache, endOfData, prefixPdu } from '../rtr/helpers/fake-cache.js';

const roas = (...rows: [string, number, number][]) =>
  JSON.stringify({ roas: rows.map(([prefix, maxLength, asn]) => ({ asn: `AS${asn}`, prefix, maxLength, ta: 'test' })) });

function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => (check() ? resolve() : Date.now() - started > timeoutMs ? reject(new Error('condition not met')) : setTimeout(tick, 20));
    tick();
  });
}

const v = (validator: Validator, prefix: string, asn: number) => validator.validate(Prefix.parse(prefix), asn as Asn);

t.test('files with SLURM: loaded at start, republished when a file changes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-feed-'));
  await writeFile(join(dir, 'vrps.json'), roas(['192.0.2.0/24', 24, 64496], ['198.51.100.0/24', 24, 64497]));
  await writeFile(
    join(dir, 'local.slurm.json'),
    JSON.stringify({
      slurmVersion: 1,
      validationOutputFilters: { prefixFilters: [{ prefix: '198.51.100.0/24', comment: 'lab' }], bgpsecFilters: [] },
      locallyAddedAssertions: { prefixAssertions: [{ asn: 64511, prefix: '203.0.113.0/24', maxPrefixLength: 24 }], bgpsecAssertions: [] },
    }),
  );
  const config = parseConfig('rpki:\n  files: [vrps.json]\n  slurm: [local.slurm.json]\n', join(dir, 'rovd.yaml'));
  const validator = new Validator();
  const feed = new RpkiFeed({ config: config.rpki, validator });
  t.teardown(() => feed.stop());
  await feed.start();
  t.equal(v(validator, '192.0.2.0/24', 64496), RovState.Valid);
  t.equal(v(validator, '198.51.100.0/24', 64497), RovState.NotFound, 'filtered by SLURM');
  t.equal(v(validator, '203.0.113.0/24', 64511), RovState.Valid, 'asserted by SLURM');
  t.equal(feed.status().stale, false);
  t.equal(feed.status().sources.length, 1);

  await writeFile(join(dir, 'vrps.json'), roas(['192.0.2.0/24', 24, 64500]));
  await until(() => v(validator, '192.0.2.0/24', 64496) === RovState.Invalid);
  t.equal(v(validator, '192.0.2.0/24', 64500), RovState.Valid, 'the edit is published');
  t.equal(v(validator, '203.0.113.0/24', 64511), RovState.Valid, 'SLURM still applied');
});

t.test('RTR alone: the cache set delta updates the index in place', async (t) => {
  const cache = await FakeCache.start();
  const config = parseConfig(`rpki:\n  rtr: [{ name: fake, address: "127.0.0.1:${cache.port}", retrySeconds: 1 }]\n`, '/x/rovd.yaml');
  const validator = new Validator();
  const feed = new RpkiFeed({ config: config.rpki, validator });
  const staleEvents: boolean[] = [];
  feed.onStale((s) => staleEvents.push(s));
  t.teardown(async () => {
    await feed.stop();
    await cache.stop();
  });
  await feed.start();
  t.same(staleEvents, [true], 'stale until the cache answers');
  await cache.waitFor(1);
  cache.send({ type: 3, version: 2, sessionId: 9 }, prefixPdu(2, true, '192.0.2.0/24', 24, 64496), endOfData(2, 9, 1));
  await until(() => v(validator, '192.0.2.0/24', 64496) === RovState.Valid);
  await until(() => staleEvents.length === 2);
  t.same(staleEvents, [true, false], 'fresh once data came');
  t.equal(feed.status().rtrInUse, 'fake');

  cache.send({ type: 0, version: 2, sessionId: 9, serial: 2 });
  await cache.waitFor(2);
  cache.send({ type: 3, version: 2, sessionId: 9 }, prefixPdu(2, true, '198.51.100.0/24', 24, 64497), endOfData(2, 9, 2));
  await until(() => v(validator, '198.51.100.0/24', 64497) === RovState.Valid);
  // Both VRPs sit beside an empty base: published as deltas, never rebuilt (a small set stays under the rebuild threshold).
  t.equal(validator.snapshot.vrps.pendingChanges, 2, 'the updates went into the index in place');
  t.equal(validator.snapshot.generation, 2);
});

t.test('an unreadable SLURM file stops the start with its name', async (t) => {
  const config = parseConfig('rpki:\n  slurm: [missing.json]\n', '/nonexistent/rovd.yaml');
  const feed = new RpkiFeed({ config: config.rpki, validator: new Validator() });
  await t.rejects(feed.start(), /missing\.json/);
  await feed.stop();
});
