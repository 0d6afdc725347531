/**
 * Writes a generated workload (bench/workload.ts) as the files rovd reads:
 *
 *   vrps.json      Routinator's `json` output:
 *                  {"metadata":{"generated":…,"generatedTime":…},
 *                   "roas":[{"asn":"AS65000","prefix":"…","maxLength":24,"ta":"ripe"},…]}
 *   routes.txt     one `prefix,asn` per line, the ASN as `65000` or `AS65000`
 *                  (mixed, as route lists pasted together are)
 *   manifest.json  what the files were generated from; when it does not
 *                  match the generator version, seed and size asked for, or
 *                  the fingerprint of the generated arrays (a generator
 *                  changed without a version bump), the files are written
 *                  again
 *
 * The files are a pure function of the workload: same seed, same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatV4, formatV6 } from '../src/net/prefix.js';
import { TRUST_ANCHORS, WORKLOAD_VERSION, type Workload, type WorkloadOptions, seededRandom } from './workload.js';

/** A fixed export time, so the files do not change from run to run. */
const GENERATED_UNIX = 1735689600; // 2025-01-01T00:00:00Z

export interface WorkloadFiles {
  readonly vrpsPath: string;
  readonly routesPath: string;
  readonly manifestPath: string;
  /** True if the files were (re)written by this call. */
  readonly written: boolean;
}

interface Manifest {
  readonly generator: 'rovd bench/workload.ts';
  readonly version: number;
  readonly seed: number;
  readonly vrps: number;
  readonly routes: number;
  /** SHA-256 over the generated arrays. */
  readonly fingerprint: string;
  readonly bytes: { readonly vrps: number; readonly routes: number };
}

/** SHA-256 over every generated array: changes whenever the workload does. */
export function fingerprint(w: Workload): string {
  const h = createHash('sha256');
  const v = w.vrps;
  const r = w.routes;
  for (const a of [v.afi, v.words, v.length, v.maxLength, v.asn, v.ta, r.afi, r.words, r.length, r.origin, r.intended]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

function prefixText(afi: number, words: Uint32Array, i: number, length: number): string {
  const b = i * 4;
  const address = afi === 4 ? formatV4(words[b]!) : formatV6(words[b]!, words[b + 1]!, words[b + 2]!, words[b + 3]!);
  return `${address}/${length}`;
}

/** The VRPs as Routinator's `json` output format. */
export function renderVrpsJson(w: Workload): string {
  const v = w.vrps;
  const lines: string[] = [
    '{',
    '  "metadata": {',
    `    "generated": ${GENERATED_UNIX},`,
    `    "generatedTime": "${new Date(GENERATED_UNIX * 1000).toISOString().replace('.000Z', 'Z')}"`,
    '  },',
    '  "roas": [',
  ];
  for (let i = 0; i < v.count; i++) {
    const prefix = prefixText(v.afi[i]!, v.words, i, v.length[i]!);
    const comma = i + 1 < v.count ? ',' : '';
    lines.push(
      `    { "asn": "AS${v.asn[i]}", "prefix": "${prefix}", "maxLength": ${v.maxLength[i]}, "ta": "${TRUST_ANCHORS[v.ta[i]!]}" }${comma}`,
    );
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}

/** The routes as `prefix,asn` lines, ASNs written with and without `AS`. */
export function renderRoutesText(w: Workload): string {
  const r = w.routes;
  const rand = seededRandom(w.options.seed ^ 0x5bd1e995);
  const lines: string[] = [];
  for (let i = 0; i < r.count; i++) {
    const prefix = prefixText(r.afi[i]!, r.words, i, r.length[i]!);
    lines.push(rand() < 0.5 ? `${prefix},${r.origin[i]}` : `${prefix},AS${r.origin[i]}`);
  }
  lines.push('');
  return lines.join('\n');
}

function manifestFor(w: Workload, bytes: Manifest['bytes']): Manifest {
  return {
    generator: 'rovd bench/workload.ts',
    version: WORKLOAD_VERSION,
    seed: w.options.seed,
    vrps: w.options.vrps,
    routes: w.options.routes,
    fingerprint: fingerprint(w),
    bytes,
  };
}

/** True if `dir` holds the files of exactly this workload. */
export function filesAreCurrent(dir: string, w: Workload): boolean {
  const options: WorkloadOptions = w.options;
  const paths = pathsIn(dir);
  if (!existsSync(paths.manifestPath) || !existsSync(paths.vrpsPath) || !existsSync(paths.routesPath)) return false;
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(readFileSync(paths.manifestPath, 'utf8')) as Partial<Manifest>;
  } catch {
    return false;
  }
  return (
    m.version === WORKLOAD_VERSION &&
    m.seed === options.seed &&
    m.vrps === options.vrps &&
    m.routes === options.routes &&
    m.fingerprint === fingerprint(w) &&
    m.bytes?.vrps === statSync(paths.vrpsPath).size &&
    m.bytes?.routes === statSync(paths.routesPath).size
  );
}

function pathsIn(dir: string): Omit<WorkloadFiles, 'written'> {
  return {
    vrpsPath: join(dir, 'vrps.json'),
    routesPath: join(dir, 'routes.txt'),
    manifestPath: join(dir, 'manifest.json'),
  };
}

/**
 * Makes sure `dir` holds the files for `w`: reuses them if the manifest
 * matches, writes them (and the manifest, last) if not.
 */
export function ensureWorkloadFiles(dir: string, w: Workload): WorkloadFiles {
  const paths = pathsIn(dir);
  if (filesAreCurrent(dir, w)) return { ...paths, written: false };
  mkdirSync(dir, { recursive: true });
  const vrps = Buffer.from(renderVrpsJson(w));
  const routes = Buffer.from(renderRoutesText(w));
  writeFileSync(paths.vrpsPath, vrps);
  writeFileSync(paths.routesPath, routes);
  const manifest = manifestFor(w, { vrps: vrps.length, routes: routes.length });
  writeFileSync(paths.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { ...paths, written: true };
}
