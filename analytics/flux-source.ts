/**
 * Reads runs back out of InfluxDB with the queries in analytics/flux/, so every analysis that works on a run
 * directory works on InfluxDB too (DESIGN §8): `records(runId)` gives the same RequestRecord objects
 * requests.jsonl holds. Rows are streamed from the annotated-CSV response by the real client.
 */
import { debuglog } from 'node:util';
import { InfluxDB, setLogger, type QueryApi } from '@influxdata/influxdb-client';
import { AnalyticsError } from '../pipeline/core/errors.js';
import type { Point } from '../pipeline/core/point.js';
import type { RequestRecord } from '../pipeline/core/record.js';
import { buildFluxQuery, type FluxParams, type FluxQueryName } from './flux-queries.js';
import { chunkLogsOf, recordFromRow, type TokenRow } from './record-from-flux.js';

export interface FluxSourceOptions {
  readonly url: string;
  readonly org: string;
  readonly bucket: string;
  /** The token itself; callers holding a Secret reveal it here and nowhere else. */
  readonly token?: string;
  readonly timeoutMs?: number;
}

export interface TimeRange {
  /** Default: the epoch (a run id is unique, so the whole bucket is searched by its tag). */
  readonly start?: Date;
  /** Default: now. */
  readonly stop?: Date;
}

export class FluxSource {
  constructor(
    private readonly queryApi: QueryApi,
    readonly bucket: string,
  ) {}

  static connect(options: FluxSourceOptions): FluxSource {
    // Failures reach the caller as AnalyticsError; the client's own console logging would only repeat them.
    const debug = debuglog('llmbench');
    setLogger({ error: (message) => debug('influxdb-client error: %s', message), warn: (message) => debug('influxdb-client warn: %s', message) });
    const client = new InfluxDB({
      url: options.url,
      ...(options.token !== undefined ? { token: options.token } : {}),
      timeout: options.timeoutMs ?? 60_000,
    });
    return new FluxSource(client.getQueryApi({ org: options.org, gzip: true }), options.bucket);
  }

  /** The run's records ordered by send time (requests.jsonl is in completion order: compare by request_id). */
  async records(runId: string, range: TimeRange = {}): Promise<RequestRecord[]> {
    const params = { run_id: runId, ...this.#range(range) };
    const tokenRows = await this.rows('run-tokens', params);
    const chunkLogs = chunkLogsOf(tokenRows as unknown as TokenRow[]);
    const requestRows = await this.rows('run-requests', params);
    if (requestRows.length === 0) {
      throw new AnalyticsError('RUN_NOT_FOUND', `InfluxDB bucket ${this.bucket} has no requests of run ${runId}`, {
        hint: 'check the run id and bucket, or `llmbench push` the run directory',
      });
    }
    const records = requestRows.map((row) => recordFromRow(row, chunkLogs.get(String(row.request_id)) ?? []));
    return records.sort((a, b) => sentAt(a) - sentAt(b) || a.request_id.localeCompare(b.request_id));
  }

  /** Rows of any query in analytics/flux/ as plain objects (columns by name, values typed by the CSV annotations). */
  async rows(name: FluxQueryName, params: FluxParams): Promise<Array<Record<string, unknown>>> {
    const rows: Array<Record<string, unknown>> = [];
    await this.#each(name, params, (row) => rows.push(row));
    return rows;
  }

  /**
   * Rows of a query that pivots points (run-windows, run-resources) back into points: the group key's columns are
   * the tags (InfluxDB groups a series by its measurement and tag set), the other columns the fields (nulls and the
   * empty strings of absent string fields left out), `_time` the time in epoch ms.
   */
  async points(name: FluxQueryName, params: FluxParams): Promise<Point[]> {
    const points: Point[] = [];
    await this.#each(name, params, (row, groupKey) => {
      const tags: Record<string, string> = {};
      const fields: Record<string, number | string | boolean> = {};
      for (const [column, value] of Object.entries(row)) {
        if (FRAME_COLUMNS.has(column) || value === null || value === undefined || value === '') continue;
        if (groupKey.has(column)) tags[column] = String(value);
        else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') fields[column] = value;
      }
      points.push({ measurement: String(row._measurement), tags, fields, time_ms: epochMsOf(String(row._time)) } as Point);
    });
    return points;
  }

  async #each(name: FluxQueryName, params: FluxParams, onRow: (row: Record<string, unknown>, groupKey: ReadonlySet<string>) => void): Promise<void> {
    const query = buildFluxQuery(name, { bucket: this.bucket, ...params });
    let lastMeta: unknown;
    let groupKey: ReadonlySet<string> = new Set();
    try {
      for await (const { values, tableMeta } of this.queryApi.iterateRows(query)) {
        if (tableMeta !== lastMeta) {
          lastMeta = tableMeta;
          groupKey = new Set(tableMeta.columns.filter((column) => column.group).map((column) => column.label));
        }
        onRow(tableMeta.toObject(values), groupKey);
      }
    } catch (cause) {
      throw new AnalyticsError('SINK_UNAVAILABLE', `Flux query ${name} on bucket ${this.bucket} failed: ${(cause as Error).message}`, {
        cause,
        hint: 'check --influx-url, --influx-org and the token (it needs read permission on the bucket)',
      });
    }
  }

  #range(range: TimeRange): { start: Date; stop: Date } {
    return { start: range.start ?? new Date(0), stop: range.stop ?? new Date() };
  }
}

/** Columns of a Flux table that are neither tags nor fields. */
const FRAME_COLUMNS = new Set(['result', 'table', '_start', '_stop', '_time', '_measurement', '_field']);

/**
 * RFC3339 with up to nanoseconds ("2026-11-27T17:20:00.00025Z") → epoch ms. The whole seconds and the nanoseconds
 * are taken apart, as pipeline/sinks/unique-timestamps.ts put them together, so a time written from a float epoch
 * ms comes back as the same float (its nanosecond rounding is far below the float's resolution).
 */
export function epochMsOf(time: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(time);
  if (!match) throw new AnalyticsError('INTERNAL', `InfluxDB returned a time that is not RFC3339 in UTC: ${JSON.stringify(time)}`);
  const seconds = Date.parse(`${match[1]}Z`);
  const nanos = Number((match[2] ?? '').padEnd(9, '0'));
  return seconds + nanos / 1e6;
}

/** The llm_request point's own time: t_send, or t_intended for a request never sent. */
function sentAt(record: RequestRecord): number {
  return record.t_send ?? record.t_dispatch ?? record.t_intended;
}
