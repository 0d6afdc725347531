/**
 * `rovd/<version>` for the User-Agent of every sink request: receivers can
 * tell rovd's requests (and which version sent them) in their logs.
 * Read from package.json on first use, not at import.
 */
import { rovdVersion } from '../../version.js';

export function rovdUserAgent(): string {
  return `rovd/${rovdVersion()}`;
}
