/**
 * The `roas` fast path is held to the ordinary JSON.parse path: whenever it
 * returns a file, it must be the file the ordinary path returns; it may
 * only ever give up, never decide differently.
 */
import t, { type Test } from 'tap';
import { readJsonExport, readJsonExportFast } from '../../../src/rpki/formats/json-export.js';
import { scanRoas } from '../../../src/rpki/formats/json-fast.js';
import { EarliestExpiry } from '../../../src/rpki/formats/json-fields.js';
import type { RpkiFile } from '../../../src/rpki/formats/rpki-file.js';
import { parseRpkiText } from '../../../src/rpki/formats/parse.js';
import { VrpTableBuilder } from '../../../src/rpki/vrp-table.js';
import { caught } from '../../helpers/errors.js';
import { pick, randomInt, seededRandom } from '../../helpers/random.js';
import { payloadText, readFixture } from './payload-text.js';

function ordinary(text: string): RpkiFile | unknown {
  try {
    return readJsonExport(JSON.parse(text), 'x');
  } catch (err) {
    return err;
  }
}

const summary = (f: RpkiFile) => ({ ...payloadText(f.payload), format: f.format, generatedAt: f.generatedAt, expiresAt: f.expiresAt });

/** The fast result (if any) equals the ordinary one; returns whether the fast path was taken. */
function agrees(t: Test, text: string, label: string): boolean {
  const fast = readJsonExportFast(text, 'x');
  if (fast === undefined) return false;
  const slow = ordinary(text);
  if (slow instanceof Error) {
    t.fail(`${label}: fast path accepted what JSON.parse + readJsonExport refuses: ${slow.message}`);
    return true;
  }
  t.same(summary(fast), summary(slow as RpkiFile), label);
  return true;
}

const took = (text: string) => scanRoas(text, new VrpTableBuilder(), new EarliestExpiry()) !== undefined;

t.test('takes the common shapes and agrees on them', async (t) => {
  for (const name of ['routinator-111.json', 'rtrtr-vrps.rpki-client.json', 'stayrtr-test.rpki.json']) {
    t.ok(agrees(t, readFixture(name).toString(), name), `${name}: fast path taken`);
  }
  const text = '{"roas":[{"ta":"a","asn":"as7","prefix":"10.0.0.0/8","maxLength":8,"expires":9,"expires":5,"note":"x","n":0}],"metadata":{"generated":3}}';
  t.ok(agrees(t, text, 'repeated keys, unknown members, metadata last'));
  t.same(parseRpkiText(text, 'x').expiresAt, new Date(5000), 'the last of repeated keys counts, as in JSON.parse');
  t.ok(agrees(t, '{ "roas" : [ ] }', 'empty roas'));
  t.ok(agrees(t, ' \r\n\t{"roas":[{"asn":1,"prefix":"::/0","maxLength":0}]}\n', 'JSON whitespace'));
});

t.test('gives up on what it does not take, and the ordinary path decides', async (t) => {
  const cases: [string, string][] = [
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8,"ta":"a\\u0062"}]}', 'escape in a value'],
    ['{"roas":[{"as\\u006e":1,"prefix":"10.0.0.0/8","maxLength":8}]}', 'escape in a key'],
    ['{"r\\u006fas":[],"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8}]}', 'escaped top-level key'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8.0}]}', 'fraction'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8e0}]}', 'exponent'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":08}]}', 'leading zero (invalid JSON)'],
    ['{"roas":[{"asn":-1,"prefix":"10.0.0.0/8","maxLength":8}]}', 'negative'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8,"source":[]}]}', 'jsonext source'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8,"x":null}]}', 'a null member'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.1/8","maxLength":8}]}', 'host bits'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":"8"}]}', 'string maxLength'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8}],"roas":[]}', 'roas twice'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8}]', 'truncated'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8},]}', 'trailing comma'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.0/8","maxLength":8}]} x', 'trailing text'],
    ['{"roas":[{"asn":1,"prefix":"10.0.0.\t0/8","maxLength":8}]}', 'control character in a string'],
    ['{"metadata":{"a":[1,{"b":"\\""}]}}', 'no roas at all'],
  ];
  for (const [text, label] of cases) t.notOk(took(text), label);
  t.match(caught(() => parseRpkiText(cases[9]![0], 'x')), { entry: 'roas[0]', reason: /host bits/ }, 'the ordinary path gives the error');
  t.same(payloadText(parseRpkiText(cases[0]![0], 'x').payload).vrps, ['AS1 10.0.0.0/8-8 ab'], 'and the result');
  t.notOk(readJsonExportFast('{"roas":[],"metadata":{"generated":"x"}}', 'x'), 'an error elsewhere leaves it to the ordinary path');
  t.notOk(readJsonExportFast('{"slurmVersion":1,"roas":[]}', 'x'), 'a SLURM-looking file too');
});

t.test('random damage: the fast path never disagrees with JSON.parse', async (t) => {
  const rand = seededRandom(6811);
  const base = readFixture('stayrtr-test.rpki.json').toString();
  const junk = ['', '"', '{', '}', '[', ']', ',', ':', '0', '1', '9', '-', '.', 'e', '/', 'A', 'S', ' ', '\\', '\n', 'null', '"ta"', '"asn"', '"x"'];
  let taken = 0;
  for (let n = 0; n < 2000; n++) {
    let text = base;
    for (let k = randomInt(rand, 1, 3); k > 0; k--) {
      const at = randomInt(rand, 0, text.length - 1);
      text = text.slice(0, at) + pick(rand, junk) + text.slice(at + randomInt(rand, 0, 2));
    }
    if (agrees(t, text, `damaged #${n}`)) taken++;
  }
  t.ok(taken > 100, `fast path taken on ${taken} of 2000 damaged files, and agreed every time`);
});
