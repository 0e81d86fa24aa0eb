/**
 * A stand-in for InfluxDB 2's storage and for the analytics/flux/*.flux queries llmbench runs, for tests on a
 * machine without InfluxDB 2 (DESIGN §13). Writes are the line protocol llmbench really sent (captured by the
 * scripted server); they are stored the way InfluxDB stores them: one point per series (measurement + tag set) and
 * nanosecond timestamp, a later write's fields merged over an earlier one's, each field typed by its line protocol
 * form (float, boolean, string). A query is answered with the tables that query yields, in InfluxDB's annotated
 * CSV (annotated-csv.ts): pivot() gives one table per series with its group key (_start, _stop, _measurement and
 * the tags) and one column per field, rows by time; group() merges them into one table with an empty group key.
 */
import { readFluxFile, type FluxQueryName } from '../../../analytics/flux-queries.js';
import { parseLine } from '../../pipeline/sinks/helpers/line-keys.js';
import { renderAnnotatedCsv, rfc3339Nano, type CsvTable, type CsvValue } from './annotated-csv.js';

const START = '1970-01-01T00:00:00Z';
const STOP = '2030-01-01T00:00:00Z';

interface StoredPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly timeNs: bigint;
  readonly fields: Record<string, CsvValue>;
}

/** The queries answered (the others are not needed by the tests that use the store). */
const ANSWERED: readonly FluxQueryName[] = ['run-requests', 'run-tokens', 'run-summary', 'run-windows', 'run-resources', 'trend-runs'];

export class InfluxStore {
  readonly #points = new Map<string, StoredPoint>();
  /** Names of the queries answered, in order. */
  readonly queries: string[] = [];

  write(lines: readonly string[]): void {
    for (const line of lines) {
      const parsed = parseLine(line);
      const key = `${parsed.series} ${parsed.timeNs}`;
      const fields = Object.fromEntries(Object.entries(parsed.fields).map(([name, raw]) => [name, decodeField(raw)]));
      const existing = this.#points.get(key);
      if (existing) Object.assign(existing.fields, fields);
      else this.#points.set(key, { measurement: parsed.measurement, tags: parsed.tags, timeNs: BigInt(parsed.timeNs), fields });
    }
  }

  /** The annotated CSV InfluxDB would answer to `query` (a params prelude and one of analytics/flux/). */
  answer(query: string): string {
    const name = ANSWERED.find((candidate) => query.includes(readFluxFile(candidate)));
    if (!name) throw new Error(`the store does not answer this query:\n${query}`);
    this.queries.push(name);
    const params = preludeStrings(query);
    const ofRun = (point: StoredPoint) => point.tags.run_id === params.run_id;
    const select = (keep: (point: StoredPoint) => boolean) => [...this.#points.values()].filter(keep);
    switch (name) {
      case 'run-requests':
        return renderAnnotatedCsv(pivot(select((p) => p.measurement === 'llm_request' && ofRun(p))));
      case 'run-summary':
        return renderAnnotatedCsv(pivot(select((p) => p.measurement === 'llm_run' && ofRun(p))));
      case 'run-windows':
        return renderAnnotatedCsv(pivot(select((p) => p.measurement === 'llm_window' && ofRun(p))));
      case 'run-resources':
        return renderAnnotatedCsv(pivot(select((p) => !p.measurement.startsWith('llm_') && ofRun(p))));
      case 'run-tokens':
        return renderAnnotatedCsv(tokenTables(select((p) => p.measurement === 'llm_token' && ofRun(p))));
      case 'trend-runs': {
        const runs = select((p) => p.measurement === 'llm_run' && (params.scenario === '' || p.tags.scenario === params.scenario));
        const withoutRunJson = runs.map((p) => ({ ...p, fields: Object.fromEntries(Object.entries(p.fields).filter(([field]) => !field.startsWith('run_json'))) }));
        return renderAnnotatedCsv(ungroup(pivot(withoutRunJson)));
      }
      default:
        throw new Error(`unhandled query ${name}`);
    }
  }
}

/** pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value"): one table per series. */
function pivot(points: readonly StoredPoint[]): CsvTable[] {
  const series = new Map<string, StoredPoint[]>();
  for (const point of points) {
    const key = `${point.measurement},${Object.entries(point.tags).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;
    series.set(key, [...(series.get(key) ?? []), point]);
  }
  return [...series.keys()].sort().map((key) => {
    const items = byTime(series.get(key)!);
    const tagNames = Object.keys(items[0]!.tags).sort();
    const fieldNames = [...new Set(items.flatMap((item) => Object.keys(item.fields)))].sort();
    return {
      columns: ['_start', '_stop', '_time', '_measurement', ...tagNames, ...fieldNames],
      groupKey: new Set(['_start', '_stop', '_measurement', ...tagNames]),
      rows: items.map((item) => {
        const row: Record<string, CsvValue> = { _start: START, _stop: STOP, _time: rfc3339Nano(item.timeNs.toString()), _measurement: item.measurement, ...item.tags };
        for (const field of fieldNames) row[field] = item.fields[field] ?? null;
        return row;
      }),
    };
  });
}

/** group() then sort(columns: ["_time"]): one table, every column, an empty group key. */
function ungroup(tables: readonly CsvTable[]): CsvTable[] {
  if (tables.length === 0) return [];
  const columns = [...new Set(tables.flatMap((table) => table.columns))];
  const rows = tables.flatMap((table) => table.rows).sort((a, b) => String(a._time).localeCompare(String(b._time)));
  return [{ columns, groupKey: new Set(), rows: rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null]))) }];
}

/** run-tokens.flux: four fields pivoted, then keep(): the group key is left with the stage. */
function tokenTables(points: readonly StoredPoint[]): CsvTable[] {
  const byStage = new Map<string, StoredPoint[]>();
  for (const point of points) byStage.set(point.tags.stage ?? '', [...(byStage.get(point.tags.stage ?? '') ?? []), point]);
  return [...byStage.entries()].map(([stage, items]) => ({
    columns: ['_time', 'stage', 'index', 'offset_ms', 'request_id', 'tokens'],
    groupKey: new Set(['stage']),
    rows: byTime(items).map((item) => ({
      _time: rfc3339Nano(item.timeNs.toString()),
      stage,
      index: item.fields.index ?? null,
      offset_ms: item.fields.offset_ms ?? null,
      request_id: item.fields.request_id ?? null,
      tokens: item.fields.tokens ?? null,
    })),
  }));
}

function byTime(points: readonly StoredPoint[]): StoredPoint[] {
  return [...points].sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
}

/** A field as line protocol wrote it: "quoted string", T/F, or a float. */
function decodeField(raw: string): CsvValue {
  if (raw.startsWith('"')) return raw.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (raw === 'T' || raw === 'true') return true;
  if (raw === 'F' || raw === 'false') return false;
  return Number(raw.replace(/i$/, ''));
}

/** The string values of the `params = {…}` prelude (run_id, scenario, …). */
function preludeStrings(query: string): Record<string, string> {
  const prelude = query.slice(0, query.indexOf('\n'));
  const values: Record<string, string> = {};
  for (const match of prelude.matchAll(/([a-z_]+): "((?:[^"\\]|\\.)*)"/g)) values[match[1]!] = JSON.parse(`"${match[2]}"`) as string;
  return values;
}
