/**
 * `rovd/<version>` for the User-Agent of every sink request: receivers can
 * tell rovd's requests (and which version sent them) in their logs.
 * Read from package.json on first use, not at import.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function rovdUserAgent(): string {
  if (cached === undefined) {
    let version = 'unknown';
    try {
      // src/alerts/sinks and dist/alerts/sinks are both three levels below the package root.
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') version = pkg.version;
    } catch {
      // A bundled or relocated build without package.json still sends a User-Agent.
    }
    cached = `rovd/${version}`;
  }
  return cached;
}
