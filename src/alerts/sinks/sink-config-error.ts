/**
 * A bad sink option, named by sink and key; thrown by sink constructors
 * (a config that would fail every delivery is refused at start, not
 * discovered at 3 a.m. when the first page does not arrive).
 */
export class SinkConfigError extends RangeError {
  constructor(
    readonly sink: string,
    readonly key: string,
    reason: string,
  ) {
    super(`sink ${sink}: option ${key} ${reason}`);
    this.name = 'SinkConfigError';
  }
}

/** An http(s) URL without credentials in it (fetch refuses them; they belong in headers). */
export function checkHttpUrl(sink: string, key: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The URL itself may be a secret (Slack's webhook URLs are): not echoed.
    throw new SinkConfigError(sink, key, 'is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SinkConfigError(sink, key, `must be http: or https:, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new SinkConfigError(sink, key, 'must not contain credentials; use headers');
  return url;
}

/** An integer option >= min, or the default. */
export function checkIntOption(sink: string, key: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new SinkConfigError(sink, key, `must be an integer >= ${min}, got ${String(v)}`);
  return v;
}
