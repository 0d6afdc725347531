#!/usr/bin/env node
/** The `rovd` executable: runs the command line in src/cli/rovd.ts on this process. */
import { text } from 'node:stream/consumers';
import { EXIT_FAILURE } from './usage-error.js';
import { main } from './rovd.js';
import type { CommandIo } from './validate-command.js';

const shutdown = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => shutdown.abort(signal));
}

const io: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => text(process.stdin),
  shutdown: shutdown.signal,
  onReload: (listener) => {
    process.on('SIGHUP', listener);
    return () => process.off('SIGHUP', listener);
  },
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // A command that returned is done; signal handlers must not keep the process alive.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGHUP');
  },
  (err: unknown) => {
    process.stderr.write(`rovd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
