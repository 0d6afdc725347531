#!/usr/bin/env node
/** The `rovd` executable: runs the command line in src/cli/rovd.ts on this process. */
import { text } from 'node:stream/consumers';
import type { CommandIo } from './validate-command.js';

const shutdown = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => shutdown.abort(signal));
}

// Installed at once: SIGHUP's default action ends the process, so one arriving while rovd is still starting must find a handler (it is ignored until the command subscribes).
const reloadListeners = new Set<() => void>();
process.on('SIGHUP', () => {
  for (const l of reloadListeners) l();
});

const io: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => text(process.stdin),
  shutdown: shutdown.signal,
  onReload: (listener) => {
    reloadListeners.add(listener);
    return () => reloadListeners.delete(listener);
  },
};

// The commands (and everything they import) load after the handlers above are in place: loading takes a while, and a signal meanwhile must not kill the process.
const { main } = await import('./rovd.js');
const { EXIT_FAILURE } = await import('./usage-error.js');

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
