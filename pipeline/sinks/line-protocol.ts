/**
 * Point → one line of InfluxDB line protocol, through the real client's `Point` (its escaping of
 * measurement, tag and field text is the reference implementation). Two things the client leaves to the
 * caller are handled here: a tag key or value ending in a backslash would escape the separator after it,
 * and a newline inside a string field would split the line (line protocol cannot carry one, and spill
 * files are read back line by line).
 */
import { Point as InfluxPoint } from '@influxdata/influxdb-client';
import type { Point } from '../core/point.js';

/** `timeNs` is integer nanoseconds since the epoch as a decimal string. Undefined when no field is writable. */
export function toLineProtocol(point: Point, timeNs: string): string | undefined {
  const line = new InfluxPoint(point.measurement);
  for (const [key, value] of Object.entries(point.tags)) {
    const tagValue = sanitizeKeyOrTag(value);
    if (tagValue !== '') line.tag(sanitizeKeyOrTag(key), tagValue); // the client drops empty values too
  }
  let fields = 0;
  for (const [key, value] of Object.entries(point.fields)) {
    const name = sanitizeKeyOrTag(key);
    if (typeof value === 'number') {
      // Every number is a float: InfluxDB rejects a batch when one field changes type between points,
      // and a count that happens to be whole would otherwise become an integer field here and a float there.
      if (!Number.isFinite(value)) continue;
      line.floatField(name, value);
    } else if (typeof value === 'boolean') {
      line.booleanField(name, value);
    } else {
      line.stringField(name, sanitizeStringField(value));
    }
    fields++;
  }
  if (fields === 0) return undefined;
  return line.timestamp(timeNs).toLineProtocol();
}

/** Control characters become spaces; a trailing backslash becomes `_` (it would escape the next separator). */
export function sanitizeKeyOrTag(text: string): string {
  return text.replace(/[\r\n\t]/g, ' ').replace(/\\+$/, (run) => '_'.repeat(run.length));
}

/** Line protocol has no escape for a line break inside a string field. */
export function sanitizeStringField(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, ' ');
}
