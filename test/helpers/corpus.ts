/**
 * Access to ../shared/corpus, the public test data that sits beside a
 * checkout (never inside it: some files are GPL/EPL and stay out of the repo).
 *
 * In a user's fresh clone the folder is absent and corpus tests skip with a
 * clear message; in CI (ROVD_REQUIRE_PEERS=1) its absence is a failure.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');
export const CORPUS_DIR = resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');

export const peersRequired = (): boolean => process.env.ROVD_REQUIRE_PEERS === '1';

/** Absolute path of a corpus file. */
export function corpusPath(relative: string): string {
  return join(CORPUS_DIR, relative);
}

/** Absolute path of a committed fixture under test/fixtures. */
export function fixturePath(relative: string): string {
  return join(FIXTURES_DIR, relative);
}

/** The part of tap's Test this helper needs: an assertion can be marked skipped. */
type SkippableTest = Pick<Test, 'pass' | 'fail'>;

/**
 * Returns true if the corpus file (or the corpus itself) is present.
 * Otherwise skips the test with a message, or fails it under
 * ROVD_REQUIRE_PEERS=1, and returns false: callers `if (!haveCorpus(t, f)) return;`.
 */
export function haveCorpus(t: SkippableTest, relative = ''): boolean {
  const path = corpusPath(relative);
  if (existsSync(path)) return true;
  const message = `corpus file ${path} not found (../shared/corpus sits beside the checkout in development and CI)`;
  if (peersRequired()) t.fail(`${message}; required because ROVD_REQUIRE_PEERS=1`);
  else t.pass(`needs ${relative || 'the corpus'}`, { skip: message });
  return false;
}
