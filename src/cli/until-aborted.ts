/**
 * Resolves when the command is told to stop (SIGINT or SIGTERM, through the
 * bin's AbortSignal); never, when the caller gave no signal (a test that
 * stops the command another way).
 */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
