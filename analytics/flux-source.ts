/**
 * Reads runs back out of InfluxDB with the queries in analytics/flux/, so every analysis that works on a run
 * directory works on InfluxDB too (DESIGN §8): `records(runId)` gives the same RequestRecord objects
 * requests.jsonl holds. Rows are streamed from the annotated-CSV response by the real client.
 */
import { debuglog } from 'node:util';
import { InfluxDB, setLogger, type QueryApi } from '@influxdata/influxdb-client';
import { AnalyticsError } from '../pipeline/core/errors.js';
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
    const query = buildFluxQuery(name, { bucket: this.bucket, ...params });
    const rows: Array<Record<string, unknown>> = [];
    try {
      for await (const { values, tableMeta } of this.queryApi.iterateRows(query)) rows.push(tableMeta.toObject(values));
    } catch (cause) {
      throw new AnalyticsError('SINK_UNAVAILABLE', `Flux query ${name} on bucket ${this.bucket} failed: ${(cause as Error).message}`, {
        cause,
        hint: 'check --influx-url, --influx-org and the token (it needs read permission on the bucket)',
      });
    }
    return rows;
  }

  #range(range: TimeRange): { start: Date; stop: Date } {
    return { start: range.start ?? new Date(0), stop: range.stop ?? new Date() };
  }
}

/** The llm_request point's own time: t_send, or t_intended for a request never sent. */
function sentAt(record: RequestRecord): number {
  return record.t_send ?? record.t_dispatch ?? record.t_intended;
}
