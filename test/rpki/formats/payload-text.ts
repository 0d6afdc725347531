/**
 * A payload as plain strings, so tests can state exact expected contents
 * with t.same and read the diff when it fails.
 */
import { readFileSync } from 'node:fs';
import type { RpkiPayload } from '../../../src/rpki/payload.js';
import { formatVrp } from '../../../src/rpki/vrp.js';
import { corpusPath, fixturePath, haveCorpus } from '../../helpers/corpus.js';

export interface PayloadText {
  vrps: string[];
  routerKeys: string[];
  aspas: string[];
}

/** VRPs as `AS1 192.0.2.0/24-24 ta`, keys as `AS1 ski key ta`, ASPAs as `AS1 > 2,3 ta` (or `v4 2 | v6 3`). */
export function payloadText(p: RpkiPayload): PayloadText {
  return {
    vrps: [...p.vrps].map((v) => `${formatVrp(v)} ${v.ta}`.trimEnd()),
    routerKeys: p.routerKeys.map((k) => `AS${k.asn} ${k.ski} ${k.publicKey} ${k.ta}`.trimEnd()),
    aspas: p.aspas.map((a) => {
      const v4 = a.ipv4Providers.join(',');
      const v6 = a.ipv6Providers.join(',');
      return `AS${a.customer} > ${v4 === v6 ? v4 : `v4 ${v4} | v6 ${v6}`} ${a.ta}`.trimEnd();
    }),
  };
}

export const readCorpus = (relative: string): Buffer => readFileSync(corpusPath(relative));
export const readFixture = (name: string): Buffer => readFileSync(fixturePath(`rpki/${name}`));

/** Routinator's all-zero test key: 64 zero bytes, unpadded base64url. */
export const ZERO_KEY = 'A'.repeat(86);
export const ZERO_SKI = '0'.repeat(40);

/** Kept as the name these tests use; haveCorpus() takes a tap Test directly. */
export const corpusHas = haveCorpus;
