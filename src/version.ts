/**
 * rovd's version, from package.json (read once, on first use, never at
 * import). src/ and dist/ are both one level below the package root; a
 * relocated build without package.json says `unknown`.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function rovdVersion(): string {
  if (cached === undefined) {
    cached = 'unknown';
    try {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') cached = pkg.version;
    } catch {
      // keep 'unknown'
    }
  }
  return cached;
}
