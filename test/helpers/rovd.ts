/** Runs `rovd ARGS…` in-process (src/cli/rovd.ts main) and captures its output. */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { main } from '../../src/cli/rovd.js';

export interface RovdRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * `stdin` is what the command reads from standard input; `stdout` may be a
 * test's own stream (a slow one, say), in which case `out` is empty.
 */
export async function runRovd(
  args: readonly string[],
  options: { stdin?: string; stdout?: Writable; shutdown?: AbortSignal; env?: NodeJS.ProcessEnv; onReload?: (listener: () => void) => () => void } = {},
): Promise<RovdRun> {
  const stdout = options.stdout ?? new PassThrough();
  const stderr = new PassThrough();
  const outText = stdout instanceof PassThrough ? text(stdout) : Promise.resolve('');
  const errText = text(stderr);
  const code = await main(args, {
    stdout,
    stderr,
    readStdin: () => text(Readable.from([options.stdin ?? ''])),
    shutdown: options.shutdown,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.onReload === undefined ? {} : { onReload: options.onReload }),
  });
  stdout.end();
  stderr.end();
  return { code, out: await outText, err: await errText };
}
