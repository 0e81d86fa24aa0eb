/**
 * Point → one line of InfluxDB line protocol, escaped by the real client's escapers (`escape.measurement`,
 * `escape.tag`, `escape.quoted` of @influxdata/influxdb-client: the same functions its `Point` uses). We
 * assemble the line ourselves instead of building a client `Point` per point: that object, its per-call key
 * sort and its garbage cost ~3 µs a point, while a run's tag sets repeat (every token of a request shares
 * one), so the escaped `measurement,tags` prefix is computed once per tag object and reused.
 *
 * Two things the client leaves to the caller are handled here: a tag key or value ending in a backslash
 * would escape the separator after it, and a line break inside a string field would split the line (line
 * protocol cannot carry one, and spill files are read back line by line).
 */
import { escape } from '@influxdata/influxdb-client';
import type { Point } from '../core/point.js';

interface Prefix {
  readonly measurement: string;
  /** `measurement,tag=value,…` escaped, tags sorted (InfluxDB's canonical series key order). */
  readonly text: string;
}

export class LineEncoder {
  readonly #prefixes = new WeakMap<object, Prefix>();
  readonly #fieldKeys = new Map<string, string>();

  /** `timeNs` is integer nanoseconds since the epoch as a decimal string. Undefined when no field is writable. */
  encode(point: Point, timeNs: string): string | undefined {
    let fields = '';
    const values = point.fields;
    for (const key in values) {
      const value = values[key]!;
      let text: string;
      if (typeof value === 'number') {
        // Every number is a float: InfluxDB rejects a batch when a field changes type between points, and
        // a count that happens to be whole would otherwise be an integer here and a float there.
        if (!Number.isFinite(value)) continue;
        text = String(value);
      } else if (typeof value === 'boolean') {
        text = value ? 'T' : 'F';
      } else {
        text = escape.quoted(sanitizeStringField(value));
      }
      fields += `${fields === '' ? '' : ','}${this.#fieldKey(key)}=${text}`;
    }
    if (fields === '') return undefined;
    return `${this.#prefix(point)} ${fields} ${timeNs}`;
  }

  #prefix(point: Point): string {
    const cached = this.#prefixes.get(point.tags);
    if (cached && cached.measurement === point.measurement) return cached.text;
    let text = escape.measurement(point.measurement);
    for (const key of Object.keys(point.tags).sort()) {
      const value = sanitizeKeyOrTag(point.tags[key]!);
      if (value !== '') text += `,${escape.tag(sanitizeKeyOrTag(key))}=${escape.tag(value)}`; // empty values are invalid
    }
    this.#prefixes.set(point.tags, { measurement: point.measurement, text });
    return text;
  }

  #fieldKey(key: string): string {
    let escaped = this.#fieldKeys.get(key);
    if (escaped === undefined) {
      escaped = escape.tag(sanitizeKeyOrTag(key));
      if (this.#fieldKeys.size < 10_000) this.#fieldKeys.set(key, escaped);
    }
    return escaped;
  }
}

const sharedEncoder = new LineEncoder();

/** One line for one point (see LineEncoder). */
export function toLineProtocol(point: Point, timeNs: string): string | undefined {
  return sharedEncoder.encode(point, timeNs);
}

const NEEDS_TAG_FIX = /[\r\n\t]|\\$/;
const LINE_BREAK = /[\r\n]/;

/** Control characters become spaces; a trailing backslash becomes `_` (it would escape the next separator). */
export function sanitizeKeyOrTag(text: string): string {
  if (!NEEDS_TAG_FIX.test(text)) return text;
  return text.replace(/[\r\n\t]/g, ' ').replace(/\\+$/, (run) => '_'.repeat(run.length));
}

/** Line protocol has no escape for a line break inside a string field. */
export function sanitizeStringField(text: string): string {
  return LINE_BREAK.test(text) ? text.replace(/\r\n|[\r\n]/g, ' ') : text;
}
