/**
 * What InfluxDB would answer to analytics/flux/run-requests.flux and run-tokens.flux for a set of points:
 * the points as the sink writes them (same mapping, same timestamps), pivoted into the tables those queries
 * produce. Used to round-trip records through FluxSource without an InfluxDB 2 server on this machine.
 */
import type { Point } from '../../../pipeline/core/point.js';
import { SeriesTimestamps, seriesKey } from '../../../pipeline/sinks/unique-timestamps.js';
import { rfc3339Nano, type CsvTable, type CsvValue } from './annotated-csv.js';

const START = '1970-01-01T00:00:00Z';
const STOP = '2030-01-01T00:00:00Z';

interface Stamped {
  readonly point: Point;
  readonly timeNs: string;
}

export function stamp(points: readonly Point[]): Stamped[] {
  const timestamps = new SeriesTimestamps();
  return points.map((point) => ({ point, timeNs: timestamps.assign(point) }));
}

/** run-requests.flux: filter llm_request of the run, pivot fields to columns; one table per series. */
export function runRequestsTables(stamped: readonly Stamped[], runId: string): CsvTable[] {
  const series = new Map<string, Stamped[]>();
  for (const item of stamped) {
    if (item.point.measurement !== 'llm_request' || item.point.tags.run_id !== runId) continue;
    const key = seriesKey(item.point);
    series.set(key, [...(series.get(key) ?? []), item]);
  }
  return [...series.values()].map((items) => {
    const tagNames = Object.keys(items[0]!.point.tags).sort();
    const fieldNames = [...new Set(items.flatMap((item) => Object.keys(item.point.fields)))].sort();
    return {
      columns: ['_start', '_stop', '_time', '_measurement', ...tagNames, ...fieldNames],
      groupKey: new Set(['_start', '_stop', '_measurement', ...tagNames]),
      rows: sortByTime(items).map(({ point, timeNs }) => {
        const row: Record<string, CsvValue> = { _start: START, _stop: STOP, _time: rfc3339Nano(timeNs), _measurement: point.measurement, ...point.tags };
        for (const name of fieldNames) row[name] = point.fields[name] ?? null;
        return row;
      }),
    };
  });
}

/** run-tokens.flux: llm_token of the run, four fields pivoted, then keep() — the group key is left with stage. */
export function runTokensTables(stamped: readonly Stamped[], runId: string): CsvTable[] {
  const byStage = new Map<string, Stamped[]>();
  for (const item of stamped) {
    if (item.point.measurement !== 'llm_token' || item.point.tags.run_id !== runId) continue;
    const stage = item.point.tags.stage ?? '';
    byStage.set(stage, [...(byStage.get(stage) ?? []), item]);
  }
  return [...byStage.entries()].map(([stage, items]) => ({
    columns: ['_time', 'stage', 'index', 'offset_ms', 'request_id', 'tokens'],
    groupKey: new Set(['stage']),
    rows: sortByTime(items).map(({ point, timeNs }) => ({
      _time: rfc3339Nano(timeNs),
      stage,
      index: point.fields.index as number,
      offset_ms: point.fields.offset_ms as number,
      request_id: point.fields.request_id as string,
      tokens: point.fields.tokens as number,
    })),
  }));
}

function sortByTime(items: Stamped[]): Stamped[] {
  return [...items].sort((a, b) => (BigInt(a.timeNs) < BigInt(b.timeNs) ? -1 : BigInt(a.timeNs) > BigInt(b.timeNs) ? 1 : 0));
}
