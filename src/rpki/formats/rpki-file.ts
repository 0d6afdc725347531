/**
 * What a parsed RPKI export yields, whatever its dialect, and the error a
 * bad one raises.
 *
 * A file is all or nothing: one bad entry rejects the whole file (a half
 * loaded VRP set turns valid routes invalid, which pages people at night),
 * and the error names the source, the entry and the reason.
 */
import type { RpkiPayload } from '../payload.js';

export type RpkiFileFormat =
  | 'routinator-json'
  | 'routinator-jsonext'
  | 'rpki-client-json'
  | 'stayrtr-json'
  | 'bare-array-json'
  | 'routinator-csv'
  | 'slurm';

export interface RpkiFile {
  readonly payload: RpkiPayload;
  readonly format: RpkiFileFormat;
  /** When the exporter says it produced the data (metadata), if it says. */
  readonly generatedAt?: Date;
  /**
   * The earliest `expires` of any entry (rpki-client, StayRTR): past this
   * instant the data is stale even if the file was loaded recently.
   */
  readonly expiresAt?: Date;
}

export class RpkiFormatError extends Error {
  constructor(
    /** File path or URL the data came from. */
    readonly source: string,
    /** Where in the file: e.g. `roas[1234]`, `aspas[3].providers[0]`, `line 17`. */
    readonly entry: string | undefined,
    readonly reason: string,
  ) {
    super(`${source}: ${entry === undefined ? '' : `${entry}: `}${reason}`);
    this.name = 'RpkiFormatError';
  }
}
