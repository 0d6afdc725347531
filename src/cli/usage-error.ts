/**
 * A mistake in how a command was called: printed as one line with the
 * command's name, and the process exits with status 2 (as getopt tools do),
 * distinct from 1 for bad data or a failed run.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
