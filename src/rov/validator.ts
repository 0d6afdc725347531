/**
 * The current RPKI view that every validation reads, and its replacement.
 *
 * A new VRP set is turned into a complete index first and only then
 * published by one reference assignment, so a reader sees either the old
 * snapshot or the new one, never a half-built index. Each change reports
 * the VRP delta and the prefixes it affects, so the RIB (a later issue)
 * revalidates only the routes under them instead of a whole table.
 */
import type { Asn } from '../net/asn.js';
import { type Afi, Prefix } from '../net/prefix.js';
import { type AsPath, originOf } from '../bgp/as-path.js';
import { EMPTY_PAYLOAD, type RpkiPayload, samePayload } from '../rpki/payload.js';
import type { VrpDelta } from '../rpki/vrp-table.js';
import type { RouteValidity, RovState } from './validity.js';
import { AspaIndex } from './aspa-index.js';
import { type AspaDirection, type AspaVerification, type AspaVerifyOptions, verifyAspaPath } from './aspa-verification.js';
import { VrpIndex } from './vrp-index.js';

/** An immutable, consistent view of the RPKI data. */
export interface RpkiSnapshot {
  /** Increases by one with every published change; 0 is the empty start. */
  readonly generation: number;
  readonly payload: RpkiPayload;
  readonly vrps: VrpIndex;
  /** ASPA attestations for AS_PATH verification. */
  readonly aspas: AspaIndex;
  /** Clock time (ms) when this snapshot was published. */
  readonly publishedAt: number;
}

export interface SnapshotChange {
  readonly previous: RpkiSnapshot;
  readonly current: RpkiSnapshot;
  readonly delta: VrpDelta;
  /**
   * The smallest set of prefixes covering every added or removed VRP:
   * exactly the space in which a route's validity can have changed.
   */
  readonly affected: readonly Prefix[];
  /** Time spent building the new index, in milliseconds. */
  readonly buildMs: number;
}

export type SnapshotListener = (change: SnapshotChange) => void;

export interface ValidatorOptions {
  /** Clock in milliseconds; injected so tests control time. */
  readonly now?: () => number;
}

export class Validator {
  private current: RpkiSnapshot;
  private readonly listeners = new Set<SnapshotListener>();
  private readonly now: () => number;

  constructor(options: ValidatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.current = Object.freeze({
      generation: 0,
      payload: EMPTY_PAYLOAD,
      vrps: VrpIndex.build(EMPTY_PAYLOAD.vrps),
      aspas: AspaIndex.EMPTY,
      publishedAt: this.now(),
    });
  }

  /** The snapshot to use for a consistent series of look-ups. */
  get snapshot(): RpkiSnapshot {
    return this.current;
  }

  /**
   * Publishes a new payload. Returns the change, or undefined when the VRPs
   * are identical (nothing to revalidate).
   *
   * `knownDelta` is for a source that already knows what changed (an RTR
   * transaction lists its announcements and withdrawals): it must be
   * exactly payload.vrps against the published VRPs. With it, the delta is
   * not recomputed over the whole set and the index takes the changes in
   * place of a rebuild (VrpIndex.withChanges), so a small update is usable
   * in milliseconds.
   */
  publish(payload: RpkiPayload, knownDelta?: VrpDelta): SnapshotChange | undefined {
    const previous = this.current;
    const delta = knownDelta ?? previous.payload.vrps.delta(payload.vrps);
    const vrpsChanged = delta.added.size > 0 || delta.removed.size > 0;
    if (!vrpsChanged && samePayload(previous.payload, payload)) {
      return undefined;
    }
    const started = performance.now();
    const vrps = !vrpsChanged
      ? previous.vrps
      : knownDelta !== undefined
        ? previous.vrps.withChanges(delta.added, delta.removed, () => payload.vrps)
        : VrpIndex.build(payload.vrps);
    const aspas = payload.aspas === previous.payload.aspas ? previous.aspas : AspaIndex.from(payload.aspas);
    const buildMs = performance.now() - started;
    const current: RpkiSnapshot = Object.freeze({
      generation: previous.generation + 1,
      payload,
      vrps,
      aspas,
      publishedAt: this.now(),
    });
    this.current = current;
    const affected = affectedPrefixes(delta);
    const change: SnapshotChange = Object.freeze({ previous, current, delta, affected, buildMs });
    for (const listener of this.listeners) listener(change);
    return change;
  }

  validate(prefix: Prefix, origin: Asn | null): RovState {
    return this.current.vrps.validate(prefix, origin);
  }

  /**
   * RFC 6811 §2 for a route as announced: the origin is taken from the
   * AS_PATH, and a path whose origin is NONE (an AS_SET last, or empty with
   * no local AS given) is never valid.
   */
  validateRoute(prefix: Prefix, path: AsPath, localAsn?: Asn): RovState {
    return this.current.vrps.validate(prefix, originOf(path, localAsn));
  }

  explain(prefix: Prefix, origin: Asn | null): RouteValidity {
    return this.current.vrps.explain(prefix, origin);
  }

  /** ASPA verification of an AS_PATH against the current attestations. */
  verifyPath(path: AsPath, afi: Afi, direction: AspaDirection, options?: AspaVerifyOptions): AspaVerification {
    return verifyAspaPath(this.current.aspas, path, afi, direction, options);
  }

  /** Calls `listener` after each published change; returns an unsubscribe. */
  onChange(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Covering prefixes of added and removed VRPs together. */
/** The smallest set of prefixes covering every added or removed VRP of `delta`. */
export function affectedPrefixes(delta: VrpDelta): Prefix[] {
  if (delta.removed.size === 0) return delta.added.coveringPrefixes();
  if (delta.added.size === 0) return delta.removed.coveringPrefixes();
  const both = [...delta.added.coveringPrefixes(), ...delta.removed.coveringPrefixes()];
  both.sort(Prefix.compare);
  const out: Prefix[] = [];
  for (const p of both) {
    const last = out[out.length - 1];
    if (last && last.covers(p)) continue;
    out.push(p);
  }
  return out;
}

