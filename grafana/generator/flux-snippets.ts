/**
 * Flux building blocks the dashboards share. Queries refer to Grafana's `v` record (v.timeRangeStart,
 * v.timeRangeStop, v.windowPeriod) and to dashboard variables as `${name}` (a multi-value variable always as
 * `${name:json}`, which Grafana renders as a JSON array of strings, a valid Flux array literal).
 *
 * Grafana's InfluxDB backend rewrites every `word.timeRangeStart`, `word.timeRangeStop`, `word.windowPeriod`,
 * `word.bucket`, `word.defaultBucket` and `word.organization` in the text (pkg/tsdb/influxdb/flux/macros.go),
 * whatever the word: so no record here has a property named bucket or organization.
 */

/** One step per line, each after `|>`. */
export function pipe(first: string, ...steps: string[]): string {
  return [first, ...steps].join('\n    |> ');
}

/** The dashboard's bucket over the dashboard's time range. */
export const FROM_RANGE = pipe('from(bucket: "${bucket}")', 'range(start: v.timeRangeStart, stop: v.timeRangeStop)');

/** A Flux string literal of a constant name (measurement, field, metric: plain ASCII). */
export function quote(name: string): string {
  if (!/^[A-Za-z0-9_:.=/ -]*$/.test(name)) throw new Error(`${JSON.stringify(name)} is not a plain name for a Flux literal`);
  return `"${name}"`;
}

/** `r.<column> == "a"` for one name, `contains(value: r.<column>, set: [...])` for several. */
export function columnIn(column: string, names: readonly string[]): string {
  if (names.length === 0) throw new Error(`no values for ${column}`);
  if (names.length === 1) return `r.${column} == ${quote(names[0]!)}`;
  return `contains(value: r.${column}, set: [${names.map(quote).join(', ')}])`;
}

export function fieldIn(fields: readonly string[]): string {
  return columnIn('_field', fields);
}

/** A single-value variable compared with a tag. */
export function tagIs(tag: string, variable = tag): string {
  return `r.${tag} == "\${${variable}}"`;
}

/** A multi-value variable: the tag is one of the selected values. */
export function tagInVariable(tag: string, variable = tag): string {
  return `contains(value: r.${tag}, set: \${${variable}:json})`;
}

export function filter(...conditions: string[]): string {
  return `filter(fn: (r) => ${conditions.join(' and ')})`;
}

/** Successful, non-warmup requests: what the run's summary statistics are over. */
export const MEASURED_REQUESTS = ['r.status == "ok"', 'r.stage != "warmup"'];

/** Counts per aggregation window → per second (v.windowPeriod is a duration; int() gives nanoseconds). */
export const PER_SECOND = 'map(fn: (r) => ({r with _value: float(v: r._value) * 1000000000.0 / float(v: int(v: v.windowPeriod))}))';

/** Series of fields of one measurement, one per `groupBy` tag value, averaged into Grafana's window. */
export function meanSeries(measurement: string, conditions: readonly string[], fields: readonly string[], groupBy: readonly string[]): string {
  return pipe(
    FROM_RANGE,
    filter(`r._measurement == ${quote(measurement)}`, ...conditions, fieldIn(fields)),
    `group(columns: [${['_measurement', '_field', ...groupBy].map(quote).join(', ')}])`,
    'aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)',
  );
}
