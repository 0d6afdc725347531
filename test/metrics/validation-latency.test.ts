/** rovd_update_validation_seconds: buckets from 10 µs to 1 s, observe() and a monotonic timer, per VIF. */
import { Registry } from 'prom-client';
import t from 'tap';
import { VALIDATION_BUCKETS_SECONDS, ValidationLatency } from '../../src/metrics/validation-latency.js';
import { parseExposition } from './exposition.js';

t.test('buckets span 10 µs to 1 s, increasing', async (t) => {
  t.equal(VALIDATION_BUCKETS_SECONDS[0], 1e-5);
  t.equal(VALIDATION_BUCKETS_SECONDS.at(-1), 1);
  for (let i = 1; i < VALIDATION_BUCKETS_SECONDS.length; i++) t.ok(VALIDATION_BUCKETS_SECONDS[i]! > VALIDATION_BUCKETS_SECONDS[i - 1]!);
});

t.test('observations land in their buckets per VIF; nonsense durations are ignored', async (t) => {
  const registry = new Registry();
  const latency = new ValidationLatency(registry);
  latency.observe(0.00002, 'dxvif-a'); // 20 µs
  latency.observe(0.3, 'dxvif-a');
  latency.observe(0.002, 'unmapped');
  latency.observe(-1, 'dxvif-a');
  latency.observe(Number.NaN, 'dxvif-a');
  const f = parseExposition(await registry.metrics()).get('rovd_update_validation_seconds')!;
  t.equal(f.type, 'histogram');
  const bucket = (vif: string, le: string) => f.samples.find((s) => s.name.endsWith('_bucket') && s.labels.vif === vif && s.labels.le === le)!.value;
  t.equal(bucket('dxvif-a', '0.00001'), 0);
  t.equal(bucket('dxvif-a', '0.000025'), 1);
  t.equal(bucket('dxvif-a', '0.25'), 1);
  t.equal(bucket('dxvif-a', '0.5'), 2);
  t.equal(bucket('dxvif-a', '+Inf'), 2, 'negative and NaN not counted');
  t.equal(bucket('unmapped', '0.0025'), 1);
  t.equal(f.samples.find((s) => s.name.endsWith('_count') && s.labels.vif === 'dxvif-a')!.value, 2);
});

t.test('startTimer measures with the monotonic clock and records under the VIF given at the end', async (t) => {
  const registry = new Registry();
  const latency = new ValidationLatency(registry);
  const end = latency.startTimer();
  await new Promise((r) => setTimeout(r, 15));
  const seconds = end('dxvif-b');
  t.ok(seconds >= 0.01 && seconds < 1, `${seconds} s`);
  const f = parseExposition(await registry.metrics()).get('rovd_update_validation_seconds')!;
  t.equal(f.samples.find((s) => s.name.endsWith('_sum') && s.labels.vif === 'dxvif-b')!.value, seconds);
});
