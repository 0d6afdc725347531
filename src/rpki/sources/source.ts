/**
 * What every VRP source (a local file, an HTTP export, later others) has in
 * common: a name, the last good payload, its freshness and counters, and
 * the rule that a load is all or nothing.
 *
 * A load that fails for any reason (unreachable, timed out, too big, a
 * parse error naming the bad entry) is rejected whole: the previous good
 * payload stays in use and the error is recorded and logged. A half-loaded
 * VRP set would turn valid routes invalid, which is worse than slightly
 * old data; staleness is reported instead (expiresAt from the export, or
 * no success within maxAgeMs), so the operator hears about old data
 * without rovd throwing it away.
 *
 * BaseSource does the bookkeeping; a subclass only says how to get bytes
 * (`fetchBytes`) and when to try (timers, watchers). Attempts never
 * overlap: a refresh asked for while one runs is coalesced into one more
 * run after it.
 */
import { parseRpkiBytes } from '../formats/parse.js';
import type { RpkiFile, RpkiFileFormat } from '../formats/rpki-file.js';
import { type RpkiPayload, samePayload } from '../payload.js';

// The logging interface lives in src/log; re-exported for the sources' callers.
import { type Logger, NOOP_LOGGER } from '../../log/logger.js';
export { type Logger, NOOP_LOGGER };

/** Milliseconds since the epoch, like Date.now. */
export type Clock = () => number;

/** Turns the bytes of an export into a payload, or throws (RpkiFormatError). */
export type ParseFn = (bytes: Buffer, source: string) => RpkiFile;

export type Unsubscribe = () => void;

/** Why a source is stale; undefined when it is fresh. */
/**
 * - `never-loaded`: no good data yet.
 * - `expired`: past the earliest `expires` in the data.
 * - `max-age`: no successful load or check within maxAgeMs.
 * - `old-data`: the exporter says it generated the data longer than
 *   maxAgeMs ago: the file is still there and unchanged, but the job that
 *   writes it has stopped (a dead cron job looks exactly like this).
 */
export type StaleReason = 'never-loaded' | 'expired' | 'max-age' | 'old-data';

/** The result of the last attempt that did anything. */
export type AttemptResult = 'loaded' | 'unchanged' | 'failed';

/** A snapshot of one source, for the API and metrics. */
export interface SourceStatus {
  readonly name: string;
  readonly kind: string;
  /** File path or URL. */
  readonly location: string;
  /** True once a payload was loaded (it may since have gone stale). */
  readonly loaded: boolean;
  readonly format?: RpkiFileFormat;
  readonly vrps: number;
  readonly aspas: number;
  readonly routerKeys: number;
  readonly lastResult?: AttemptResult;
  readonly lastAttemptAt?: Date;
  /** Last load, or last check that found the data unchanged (HTTP 304, same file). */
  readonly lastSuccessAt?: Date;
  /** Last time the payload actually changed (the first load counts). */
  readonly lastChangeAt?: Date;
  /** From the export's metadata, for the payload in use. */
  readonly generatedAt?: Date;
  readonly expiresAt?: Date;
  /** The most recent failure; kept after later successes, see lastResult. */
  readonly lastError?: string;
  readonly lastErrorAt?: Date;
  /** Attempts that loaded a payload (changed or not). */
  readonly loadsOk: number;
  /** Checks that found the data unchanged without loading it. */
  readonly unchanged: number;
  readonly failures: number;
  readonly maxAgeMs: number;
  readonly stale: boolean;
  readonly staleReason?: StaleReason;
}

export interface SourceUpdate {
  readonly source: string;
  readonly payload: RpkiPayload;
  /** undefined on the first load. */
  readonly previous: RpkiPayload | undefined;
  readonly file: RpkiFile;
}

export interface SourceFailure {
  readonly source: string;
  readonly error: Error;
}

/** What a SourceSet needs from a source. */
export interface RpkiSource {
  readonly name: string;
  readonly kind: string;
  /** The last good payload; undefined until one has loaded. */
  readonly payload: RpkiPayload | undefined;
  /** First attempt, then timers/watchers. Resolves when the first attempt finished, either way. */
  start(): Promise<void>;
  /** Clears every timer and watcher and aborts an in-flight attempt. */
  stop(): Promise<void>;
  /** Try now (coalesced with a running attempt). */
  refresh(): Promise<void>;
  /** Called when the payload changed (the first load included), not on every successful check. */
  onUpdate(listener: (u: SourceUpdate) => void): Unsubscribe;
  /** Called on each failed attempt; the previous payload stays in use. */
  onError(listener: (f: SourceFailure) => void): Unsubscribe;
  staleReason(nowMs: number): StaleReason | undefined;
  status(nowMs?: number): SourceStatus;
}

/** A bad option, named by key; thrown by constructors (nothing is quietly fixed). */
export class SourceConfigError extends RangeError {
  constructor(
    readonly source: string,
    readonly key: string,
    reason: string,
  ) {
    super(`source ${source}: option ${key} ${reason}`);
    this.name = 'SourceConfigError';
  }
}

/** A load that failed before parsing: I/O, HTTP status, size, timeout. */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    /** HTTP status, when the server answered with one that is not 2xx/304. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SourceError';
  }
}

/** Option names and defaults shared by every source. */
export interface CommonSourceOptions {
  /** Unique within a SourceSet; defaults to the path or URL. */
  readonly name?: string;
  /** Bytes to RpkiFile; throws RpkiFormatError. Default parseRpkiBytes (every JSON dialect, CSV). */
  readonly parse?: ParseFn;
  readonly now?: Clock;
  readonly logger?: Logger;
  /** Stale when the last success is older than this. Default 2 h (RTR's default Expire Interval, RFC 8210 §6). */
  readonly maxAgeMs?: number;
  /** Refuse exports larger than this (bytes after decompression). Default 256 MiB. */
  readonly maxBytes?: number;
}

export const COMMON_DEFAULTS = Object.freeze({
  maxAgeMs: 2 * 60 * 60 * 1000,
  // A full Routinator `json` export (~800k VRPs) is about 70 MB; jsonext
  // and rpki-client with ASPAs are bigger. V8 strings stop near 512 MiB.
  maxBytes: 256 * 1024 * 1024,
});

/** What a subclass's fetchBytes found. */
export type Fetched =
  /** New data to parse; `accepted` runs only if it parsed (e.g. to keep HTTP validators). */
  | { readonly kind: 'bytes'; readonly bytes: Buffer; readonly accepted?: () => void }
  /** The data is known to be the same as last time (HTTP 304, same file). */
  | { readonly kind: 'unchanged' }
  /** Nothing to record: e.g. a file caught mid-write, retried later. */
  | { readonly kind: 'skip' };

/** A tiny typed listener list; a throwing listener is logged, not propagated. */
export class Listeners<T> {
  private readonly fns = new Set<(value: T) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  add(fn: (value: T) => void): Unsubscribe {
    // Wrap so the same function added twice is two subscriptions.
    const entry = (value: T): void => fn(value);
    this.fns.add(entry);
    return () => {
      this.fns.delete(entry);
    };
  }

  emit(value: T): void {
    for (const fn of [...this.fns]) {
      try {
        fn(value);
      } catch (err) {
        this.logger.error({ err, listener: this.what }, 'listener threw');
      }
    }
  }

  get size(): number {
    return this.fns.size;
  }
}

/** Checks a duration/size option: a finite number >= min (integer), or throws naming the key. */
export function checkNumberOption(source: string, key: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SourceConfigError(source, key, `must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export abstract class BaseSource implements RpkiSource {
  readonly name: string;
  abstract readonly kind: string;
  protected readonly now: Clock;
  protected readonly logger: Logger;
  protected readonly parse: ParseFn;
  readonly maxAgeMs: number;
  readonly maxBytes: number;

  private file: RpkiFile | undefined;
  private lastResult: AttemptResult | undefined;
  private lastAttemptAt: number | undefined;
  private lastSuccessAt: number | undefined;
  private lastChangeAt: number | undefined;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;
  private loadsOk = 0;
  private unchanged = 0;
  private failures = 0;

  private readonly updates: Listeners<SourceUpdate>;
  private readonly errors: Listeners<SourceFailure>;

  private running = false;
  private inflight: Promise<void> | undefined;
  private rerun = false;
  private abort: AbortController | undefined;

  protected constructor(
    /** File path or URL, as given to the parser and shown in status. */
    readonly location: string,
    options: CommonSourceOptions,
  ) {
    this.name = options.name ?? location;
    if (this.name === '') throw new SourceConfigError(location, 'name', 'must not be empty');
    const parse = options.parse ?? parseRpkiBytes;
    if (typeof parse !== 'function') throw new SourceConfigError(this.name, 'parse', 'must be a function');
    this.parse = parse;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? NOOP_LOGGER;
    this.maxAgeMs = checkNumberOption(this.name, 'maxAgeMs', options.maxAgeMs ?? COMMON_DEFAULTS.maxAgeMs, 1);
    this.maxBytes = checkNumberOption(this.name, 'maxBytes', options.maxBytes ?? COMMON_DEFAULTS.maxBytes, 1);
    this.updates = new Listeners(this.logger, `${this.name} onUpdate`);
    this.errors = new Listeners(this.logger, `${this.name} onError`);
  }

  get payload(): RpkiPayload | undefined {
    return this.file?.payload;
  }

  /** True between start() and stop(). */
  get started(): boolean {
    return this.running;
  }

  onUpdate(listener: (u: SourceUpdate) => void): Unsubscribe {
    return this.updates.add(listener);
  }

  onError(listener: (f: SourceFailure) => void): Unsubscribe {
    return this.errors.add(listener);
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`source ${this.name} already started`);
    this.running = true;
    this.arm();
    await this.refresh();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.disarm();
    this.abort?.abort(new SourceError(this.name, 'source stopped'));
    // An attempt aborted by stop() records nothing; wait for it to unwind
    // so no callback runs after stop() resolved.
    await this.inflight;
  }

  refresh(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.inflight) {
      this.rerun = true;
      return this.inflight;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.rerun = false;
          await this.attempt();
        } while (this.rerun && this.running);
      } finally {
        this.inflight = undefined;
      }
      if (this.running) this.afterAttempt();
    };
    this.inflight = run();
    return this.inflight;
  }

  staleReason(nowMs: number): StaleReason | undefined {
    if (!this.file) return 'never-loaded';
    const expires = this.file.expiresAt;
    if (expires !== undefined && expires.getTime() <= nowMs) return 'expired';
    if (this.lastSuccessAt === undefined || nowMs - this.lastSuccessAt > this.maxAgeMs) return 'max-age';
    // A generation time of 0 is a placeholder some exporters write in tests
    // (Routinator's `"generated": 0`), not a claim about the data's age.
    const generated = this.file.generatedAt?.getTime();
    if (generated !== undefined && generated > 0 && nowMs - generated > this.maxAgeMs) return 'old-data';
    return undefined;
  }

  status(nowMs: number = this.now()): SourceStatus {
    const f = this.file;
    const staleReason = this.staleReason(nowMs);
    return {
      name: this.name,
      kind: this.kind,
      location: this.location,
      loaded: f !== undefined,
      format: f?.format,
      vrps: f?.payload.vrps.size ?? 0,
      aspas: f?.payload.aspas.length ?? 0,
      routerKeys: f?.payload.routerKeys.length ?? 0,
      lastResult: this.lastResult,
      lastAttemptAt: date(this.lastAttemptAt),
      lastSuccessAt: date(this.lastSuccessAt),
      lastChangeAt: date(this.lastChangeAt),
      generatedAt: f?.generatedAt,
      expiresAt: f?.expiresAt,
      lastError: this.lastError,
      lastErrorAt: date(this.lastErrorAt),
      loadsOk: this.loadsOk,
      unchanged: this.unchanged,
      failures: this.failures,
      maxAgeMs: this.maxAgeMs,
      stale: staleReason !== undefined,
      staleReason,
    };
  }

  /** Gets the data, honouring `signal` (aborted by stop()). Throws on failure. */
  protected abstract fetchBytes(signal: AbortSignal): Promise<Fetched>;

  /** Arms watchers/timers; called by start() before the first attempt. */
  protected abstract arm(): void;

  /** Clears every watcher and timer; called by stop(). */
  protected abstract disarm(): void;

  /** Runs after each refresh while started (e.g. to schedule the next poll). */
  protected afterAttempt(): void {}

  /** True if the last attempt that did anything failed. */
  protected get lastFailed(): boolean {
    return this.lastResult === 'failed';
  }

  private async attempt(): Promise<void> {
    const at = this.now();
    const abort = new AbortController();
    this.abort = abort;
    let fetched: Fetched;
    try {
      fetched = await this.fetchBytes(abort.signal);
    } catch (err) {
      if (!this.running) return; // aborted by stop(): not a failure of the source
      this.fail(at, err);
      return;
    } finally {
      this.abort = undefined;
    }
    if (!this.running) return;
    if (fetched.kind === 'skip') return;
    if (fetched.kind === 'unchanged') {
      if (!this.file) {
        this.fail(at, new SourceError(this.name, 'data reported unchanged but nothing loaded yet'));
        return;
      }
      this.lastAttemptAt = at;
      this.lastResult = 'unchanged';
      this.lastSuccessAt = this.now();
      this.unchanged++;
      return;
    }
    let file: RpkiFile;
    try {
      file = this.parse(fetched.bytes, this.location);
    } catch (err) {
      this.fail(at, err);
      return;
    }
    fetched.accepted?.();
    this.accept(at, file, fetched.bytes.length);
  }

  private accept(at: number, file: RpkiFile, bytes: number): void {
    const previous = this.file?.payload;
    const changed = previous === undefined || !samePayload(previous, file.payload);
    const doneAt = this.now();
    // Keep the new file either way: its metadata (generatedAt, expiresAt) is current.
    this.file = file;
    this.lastAttemptAt = at;
    this.lastResult = 'loaded';
    this.lastSuccessAt = doneAt;
    this.loadsOk++;
    if (changed) this.lastChangeAt = doneAt;
    const counts = { vrps: file.payload.vrps.size, aspas: file.payload.aspas.length, routerKeys: file.payload.routerKeys.length };
    this.logger.info(
      { source: this.name, format: file.format, bytes, ...counts, changed, ms: doneAt - at },
      changed ? 'source loaded' : 'source reloaded, payload unchanged',
    );
    if (changed) this.updates.emit({ source: this.name, payload: file.payload, previous, file });
  }

  private fail(at: number, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.lastAttemptAt = at;
    this.lastResult = 'failed';
    this.lastError = error.message;
    this.lastErrorAt = this.now();
    this.failures++;
    this.logger.error(
      { source: this.name, err: error, keeping: this.file ? 'previous payload' : 'nothing (never loaded)' },
      'source load rejected',
    );
    this.errors.emit({ source: this.name, error });
  }
}

function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}
