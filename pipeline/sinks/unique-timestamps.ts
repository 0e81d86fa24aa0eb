/**
 * Unique nanosecond timestamps per series. InfluxDB keeps one point per measurement + tag set + timestamp
 * and silently overwrites the rest, and `request_id` is a field, so two tokens of different requests (or
 * two chunks of one request parsed from the same socket read) that share a timestamp would overwrite each
 * other. Each point gets the first free nanosecond at or after its own time in its series.
 *
 * Why "first free slot at or after" (linear probing): the set of nanoseconds a series ends up occupying
 * depends only on the multiset of input times, not on the order points arrive. A live run (records in
 * completion order) and `llmbench push` (records in file order) therefore occupy the same timestamps, so a
 * replay overwrites instead of duplicating; only points that collided may swap slots among themselves.
 *
 * Memory is one small integer per point, kept per whole second and pruned `horizonMs` behind the newest
 * point of the series: a point older than that (a request running longer than the horizon) is still placed
 * by the same rule, but no longer checked against pruned neighbours.
 */
import type { Point } from '../core/point.js';

const NS_PER_SECOND = 1_000_000_000;

interface SeriesState {
  /** Occupied nanoseconds within each epoch second. Values < 1e9 stay small integers in V8 (no boxing). */
  readonly seconds: Map<number, Set<number>>;
  newestSecond: number;
  prunedBelowSecond: number;
}

export class SeriesTimestamps {
  readonly #series = new Map<string, SeriesState>();
  /** Series state by tag object: the tokens of one request share one tags object (points are immutable). */
  readonly #byTags = new WeakMap<object, { readonly measurement: string; readonly state: SeriesState }>();
  readonly #horizonSeconds: number;

  constructor(horizonMs = 30 * 60_000) {
    this.#horizonSeconds = Math.ceil(horizonMs / 1000);
  }

  /** The point's time as integer nanoseconds (decimal string), unique within its series. */
  assign(point: Point): string {
    const state = this.#stateFor(point);
    let [second, nanos] = splitNanos(point.time_ms);
    for (;;) {
      let used = state.seconds.get(second);
      if (!used) {
        used = new Set();
        state.seconds.set(second, used);
      }
      while (used.has(nanos) && nanos < NS_PER_SECOND) nanos++;
      if (nanos < NS_PER_SECOND) {
        used.add(nanos);
        break;
      }
      // A full second of probing is absurd in practice, but carrying keeps the rule total.
      second++;
      nanos = 0;
    }
    this.#advance(state, second);
    return formatNanos(second, nanos);
  }

  #stateFor(point: Point): SeriesState {
    const cached = this.#byTags.get(point.tags);
    if (cached && cached.measurement === point.measurement) return cached.state;
    const state = this.#stateOf(seriesKey(point));
    this.#byTags.set(point.tags, { measurement: point.measurement, state });
    return state;
  }

  #stateOf(key: string): SeriesState {
    let state = this.#series.get(key);
    if (!state) {
      state = { seconds: new Map(), newestSecond: -Infinity, prunedBelowSecond: -Infinity };
      this.#series.set(key, state);
    }
    return state;
  }

  #advance(state: SeriesState, second: number): void {
    if (second <= state.newestSecond) return;
    state.newestSecond = second;
    const cutoff = second - this.#horizonSeconds;
    // Prune in steps of a minute so the scan over the map is amortised.
    if (cutoff - state.prunedBelowSecond < 60) return;
    for (const kept of state.seconds.keys()) if (kept < cutoff) state.seconds.delete(kept);
    state.prunedBelowSecond = cutoff;
  }
}

/** Exact conversion without uniqueness, for points that are unique by construction (1 s windows, the run). */
export function toNanos(timeMs: number): string {
  const [second, nanos] = splitNanos(timeMs);
  return formatNanos(second, nanos);
}

/** Measurement plus tag set: what InfluxDB calls a series. */
export function seriesKey(point: Point): string {
  const keys = Object.keys(point.tags).sort();
  let key = point.measurement;
  for (const name of keys) key += `,${name}=${point.tags[name]}`;
  return key;
}

/**
 * Epoch ms (float) → [whole seconds, nanoseconds within the second]. Splitting first keeps the arithmetic
 * exact: ms since epoch × 1e6 is far beyond 2^53, but the remainder within one second is not.
 */
function splitNanos(timeMs: number): [number, number] {
  if (!(timeMs >= 0)) throw new RangeError(`point time must be epoch ms >= 0, got ${timeMs}`);
  let second = Math.floor(timeMs / 1000);
  let nanos = Math.round((timeMs - second * 1000) * 1_000_000);
  if (nanos >= NS_PER_SECOND) {
    second += 1;
    nanos -= NS_PER_SECOND;
  }
  return [second, nanos];
}

function formatNanos(second: number, nanos: number): string {
  return second === 0 ? String(nanos) : `${second}${String(nanos).padStart(9, '0')}`;
}
