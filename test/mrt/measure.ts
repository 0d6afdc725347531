/**
 * MRT reading throughput and memory, measured on real files (not a test:
 * run by hand, results go in the report / docs).
 *
 *   node --import ./node_modules/@tapjs/typescript/dist/esm/import.mjs test/mrt/measure.ts MODE FILE
 *
 * MODE: `inflate` (decompression only), `frame` (+ framing), `decode`
 * (+ decoding into route events), `replay` (rovd replay FILE --vrps
 * config/sample/vrps.json --format ndjson to a discarding stream: decode,
 * held-route map, validation, output). Prints one JSON line with records/s,
 * routes/s and the process's peak RSS; run each in its own process.
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/rovd.js';
import { MrtDecoder } from '../../src/mrt/decoder.js';
import { openMrtFile, readMrtFile } from '../../src/mrt/source.js';

const [mode, file] = process.argv.slice(2);
if (!mode || !file) {
  process.stderr.write('usage: measure.ts inflate|frame|decode|replay FILE\n');
  process.exit(2);
}
const started = performance.now();
let bytes = 0;
let records = 0;
let routes = 0;
if (mode === 'inflate') {
  for await (const chunk of (await openMrtFile(file)).stream) bytes += (chunk as Uint8Array).length;
} else if (mode === 'frame') {
  for await (const batch of readMrtFile(file)) records += batch.length;
} else if (mode === 'decode') {
  const decoder = new MrtDecoder();
  const count = (): void => {
    routes++;
  };
  for await (const batch of readMrtFile(file)) for (const r of batch) decoder.decode(r, count);
  records = decoder.stats.records;
} else {
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  let err = '';
  const stderr = new Writable({ write: (chunk: Buffer, _enc, cb) => ((err += chunk.toString()), cb()) });
  const code = await main(['replay', file, '--vrps', 'config/sample/vrps.json', '--format', 'ndjson'], { stdout: sink, stderr, readStdin: async () => '' });
  const m = /(\d+) records, (\d+) route events/.exec(err);
  records = Number(m?.[1]);
  routes = Number(m?.[2]);
  if (code !== 0) process.stderr.write(err);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    mode,
    file: file.replace(/.*corpus\//, ''),
    seconds: Number(seconds.toFixed(2)),
    ...(bytes ? { mbPerSecond: Number((bytes / 1048576 / seconds).toFixed(1)) } : {}),
    ...(records ? { records, recordsPerSecond: Math.round(records / seconds) } : {}),
    ...(routes ? { routes, routesPerSecond: Math.round(routes / seconds) } : {}),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
