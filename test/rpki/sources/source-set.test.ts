/**
 * SourceSet and the BaseSource bookkeeping, with in-memory sources whose
 * every attempt the test controls and an injected clock: one emission at
 * startup after every first attempt, union of sources, delta on change, no
 * emission when the union is unchanged, never-loaded sources, staleness by
 * expiresAt and by maxAgeMs, and listener isolation.
 */
import t from 'tap';
import { BaseSource, type CommonSourceOptions, type Fetched, type SourceStatus } from '../../../src/rpki/sources/source.js';
import { SourceSet, type SourceSetUpdate } from '../../../src/rpki/sources/source-set.js';
import { caught, caughtAsync } from '../../helpers/errors.js';
import { lines, next, parseLines, recordingLogger, vrpList } from './helpers.js';

/** One attempt's outcome: file text, "unchanged", or an error. */
type Step = string | 'unchanged' | Error;

/** A source fed by the test: each attempt takes the next step (or waits for one). */
class MemorySource extends BaseSource {
  readonly kind = 'memory';
  private readonly steps: Step[] = [];
  private waiting: ((s: Step) => void) | undefined;

  constructor(name: string, options: Partial<CommonSourceOptions> = {}) {
    super(`memory:${name}`, { name, parse: parseLines, ...options });
  }

  /** Queues the outcome of a coming attempt (or completes one that is waiting). */
  push(step: Step): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(step);
    } else {
      this.steps.push(step);
    }
  }

  protected arm(): void {}
  protected disarm(): void {}

  protected async fetchBytes(signal: AbortSignal): Promise<Fetched> {
    const step =
      this.steps.shift() ??
      (await new Promise<Step>((resolve, reject) => {
        this.waiting = resolve;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }));
    if (step instanceof Error) throw step;
    if (step === 'unchanged') return { kind: 'unchanged' };
    return { kind: 'bytes', bytes: Buffer.from(step) };
  }
}

const A = '192.0.2.0/24 24 65000';
const B = '198.51.100.0/24 24 65001';
const C = '203.0.113.0/24 24 65002';

const nextSetUpdate = (set: SourceSet): Promise<SourceSetUpdate> => next<SourceSetUpdate>((fn) => set.onUpdate(fn), 2000, 'set update');

t.test('start() emits once, after every first attempt, with the union', async (t) => {
  const a = new MemorySource('a');
  const b = new MemorySource('b');
  const set = new SourceSet([a, b]);
  t.teardown(() => set.stop());
  const seen: SourceSetUpdate[] = [];
  set.onUpdate((u) => seen.push(u));

  a.push(lines([A]));
  const starting = set.start();
  // a has loaded; b's first attempt is still waiting.
  await new Promise((r) => setImmediate(r));
  t.ok(a.payload, 'a loaded');
  t.equal(b.payload, undefined);
  t.equal(seen.length, 0, 'no half union');
  t.equal(set.payload.vrps.size, 0);

  b.push(lines([B]));
  await starting;
  t.equal(seen.length, 1);
  const u = seen[0]!;
  t.equal(u.initial, true);
  t.same(u.loaded, ['a', 'b']);
  t.same(vrpList(u.payload), ['AS65000 192.0.2.0/24-24', 'AS65001 198.51.100.0/24-24']);
  t.same(vrpList(u.delta.added), vrpList(u.payload));
  t.equal(u.delta.removed.size, 0);
  t.equal(set.payload, u.payload);
});

t.test('a change emits the new union with its delta; no emit when the union is unchanged', async (t) => {
  const a = new MemorySource('a');
  const b = new MemorySource('b');
  a.push(lines([A, C]));
  b.push(lines([B]));
  const set = new SourceSet([a, b]);
  t.teardown(() => set.stop());
  await set.start();
  let count = 0;
  set.onUpdate(() => count++);

  // a drops C and adds nothing new: C is removed from the union.
  const changed = nextSetUpdate(set);
  a.push(lines([A]));
  await a.refresh();
  const u = await changed;
  t.equal(u.initial, false);
  t.same(vrpList(u.delta.removed), ['AS65002 203.0.113.0/24-24']);
  t.equal(u.delta.added.size, 0);
  t.same(vrpList(u.payload), ['AS65000 192.0.2.0/24-24', 'AS65001 198.51.100.0/24-24']);
  t.same(vrpList(u.previous), ['AS65000 192.0.2.0/24-24', 'AS65001 198.51.100.0/24-24', 'AS65002 203.0.113.0/24-24']);
  t.equal(count, 1);

  // a now also lists B, which b already gives: a changed, the union did not.
  a.push(lines([A, B]));
  await a.refresh();
  t.equal(a.status().lastChangeAt !== undefined, true);
  t.equal(count, 1, 'no emit: union unchanged');

  // Same content again, and an unchanged check: nothing.
  a.push(lines([A, B]));
  await a.refresh();
  a.push('unchanged');
  await a.refresh();
  t.equal(count, 1);

  // b adds C: added.
  const added = nextSetUpdate(set);
  b.push(lines([B, C]));
  await b.refresh();
  t.same(vrpList((await added).delta.added), ['AS65002 203.0.113.0/24-24']);
});

t.test('a source that never loaded contributes nothing; a failure keeps the union', async (t) => {
  const a = new MemorySource('a');
  const b = new MemorySource('b');
  a.push(lines([A]));
  b.push(new Error('unreachable'));
  const set = new SourceSet([a, b]);
  t.teardown(() => set.stop());
  const first = nextSetUpdate(set);
  await set.start();
  const u = await first;
  t.same(u.loaded, ['a']);
  t.same(vrpList(u.payload), ['AS65000 192.0.2.0/24-24']);
  t.match(set.status(), [{ name: 'a', loaded: true }, { name: 'b', loaded: false, lastError: 'unreachable', staleReason: 'never-loaded' }]);

  let count = 0;
  set.onUpdate(() => count++);
  a.push(lines(['192.0.2.0/24 99 65000'])); // bad: rejected whole
  await a.refresh();
  t.equal(count, 0);
  t.same(vrpList(set.payload), ['AS65000 192.0.2.0/24-24']);
  t.match(a.status(), { lastResult: 'failed', failures: 1, lastError: /line 2/ });
});

t.test('every source failing still ends start() with one (empty) emission', async (t) => {
  const a = new MemorySource('a');
  a.push(new Error('down'));
  const set = new SourceSet([a]);
  t.teardown(() => set.stop());
  const first = nextSetUpdate(set);
  await set.start();
  const u = await first;
  t.same(u.loaded, []);
  t.equal(u.payload.vrps.size, 0);
  t.equal(set.stale(), true);
});

t.test('staleness by expiresAt and by maxAgeMs, with an injected clock', async (t) => {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const now = (): number => clock;
  const expiring = new MemorySource('expiring', { now, maxAgeMs: 24 * 3_600_000 });
  const aging = new MemorySource('aging', { now, maxAgeMs: 600_000 });
  expiring.push(lines([A], { expires: '2030-01-01T01:00:00Z', generated: '2029-12-31T23:00:00Z' }));
  aging.push(lines([B]));
  const set = new SourceSet([expiring, aging], { now });
  t.teardown(() => set.stop());
  await set.start();

  t.equal(set.stale(), false);
  let st: SourceStatus[] = set.status();
  t.match(st, [
    { name: 'expiring', stale: false, staleReason: undefined },
    { name: 'aging', stale: false },
  ]);
  t.equal(st[0]!.expiresAt?.toISOString(), '2030-01-01T01:00:00.000Z');
  t.equal(st[0]!.generatedAt?.toISOString(), '2029-12-31T23:00:00.000Z');

  // 10 min + 1 ms later: `aging` is past its max age; `expiring` is still fresh.
  clock += 600_001;
  t.equal(aging.staleReason(clock), 'max-age');
  t.equal(expiring.staleReason(clock), undefined);
  t.equal(set.stale(), false, 'one fresh source keeps the set fresh');

  // A 304-like check refreshes `aging`.
  aging.push('unchanged');
  await aging.refresh();
  t.equal(aging.staleReason(clock), undefined);
  t.equal(aging.status().lastSuccessAt?.getTime(), clock);

  // Past expiresAt: `expiring` is stale even though it loaded recently.
  clock = Date.parse('2030-01-01T01:00:00Z');
  aging.push('unchanged');
  await aging.refresh();
  t.equal(expiring.staleReason(clock), 'expired');
  t.equal(set.stale(), false, '`aging` is fresh');
  clock += 600_001;
  t.equal(set.stale(), true, 'no source fresh');
  st = set.status();
  t.match(st, [
    { stale: true, staleReason: 'expired' },
    { stale: true, staleReason: 'max-age' },
  ]);
  // Staleness is reported, not acted on: the data stays in use.
  t.equal(set.payload.vrps.size, 2);
  // An explicit instant can be passed.
  t.equal(set.stale(Date.parse('2030-01-01T00:00:00Z')), false);
});

t.test('data generated longer ago than maxAgeMs is stale even when freshly loaded', async (t) => {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const now = (): number => clock;
  const old = new MemorySource('old', { now, maxAgeMs: 3_600_000 });
  old.push(lines([A], { generated: '2029-12-31T22:59:59Z' }));
  const placeholder = new MemorySource('placeholder', { now, maxAgeMs: 3_600_000 });
  placeholder.push(lines([B], { generated: '1970-01-01T00:00:00Z' }));
  t.teardown(async () => {
    await old.stop();
    await placeholder.stop();
  });
  await old.start();
  await placeholder.start();
  t.equal(old.staleReason(clock), 'old-data', 'a dead export job is noticed');
  t.equal(placeholder.staleReason(clock), undefined, 'generated 0 is a placeholder, not an age');
  clock = Date.parse('2029-12-31T23:30:00Z');
  t.equal(old.staleReason(clock), undefined);
});

t.test('failures do not refresh lastSuccessAt', async (t) => {
  let clock = 1_000;
  const a = new MemorySource('a', { now: () => clock, maxAgeMs: 100 });
  t.teardown(() => a.stop());
  a.push(lines([A]));
  await a.start();
  clock = 2_000;
  a.push(new Error('flaky'));
  await a.refresh();
  t.match(a.status(), {
    lastResult: 'failed',
    lastError: 'flaky',
    stale: true,
    staleReason: 'max-age',
    failures: 1,
    loadsOk: 1,
  });
  t.equal(a.status().lastSuccessAt?.getTime(), 1_000);
  t.equal(a.status().lastAttemptAt?.getTime(), 2_000);
  t.equal(a.status().lastErrorAt?.getTime(), 2_000);
});

t.test('a throwing listener is logged and does not stop the others', async (t) => {
  const log = recordingLogger();
  const a = new MemorySource('a', { logger: log });
  a.push(lines([A]));
  const set = new SourceSet([a], { logger: log });
  t.teardown(() => set.stop());
  let reached = false;
  set.onUpdate(() => {
    throw new Error('listener bug');
  });
  set.onUpdate(() => (reached = true));
  await set.start();
  t.ok(reached);
  t.ok(log.lines.some((l) => l.level === 'error' && l.msg === 'listener threw'));
});

t.test('unsubscribe, stop during start, duplicate names, double start', async (t) => {
  t.match(caught(() => new SourceSet([new MemorySource('x'), new MemorySource('x')])), { name: 'SourceConfigError', key: 'name' });

  const a = new MemorySource('a');
  const set = new SourceSet([a]);
  let count = 0;
  const off = set.onUpdate(() => count++);
  off();
  const starting = set.start();
  t.match(await caughtAsync(() => set.start()), { message: /already started/ });
  await set.stop(); // a's first attempt is waiting: aborted, nothing recorded
  await starting;
  t.equal(count, 0);
  t.match(a.status(), { failures: 0, loaded: false });
  t.equal(a.started, false);
});

t.test('coalesced refreshes: asking during an attempt runs exactly one more', async (t) => {
  const a = new MemorySource('a');
  t.teardown(() => a.stop());
  a.push(lines([A]));
  await a.start();
  const first = a.refresh(); // waits for a step
  const second = a.refresh(); // coalesced
  const third = a.refresh(); // coalesced too
  a.push(lines([A, B]));
  await new Promise((r) => setImmediate(r));
  a.push(lines([A, B, C]));
  await Promise.all([first, second, third]);
  t.equal(a.status().loadsOk, 3, 'start + one attempt + one coalesced rerun');
  t.equal(a.payload?.vrps.size, 3);
});
