/**
 * The inverse of pipeline/sinks/points.ts for requests: rows of run-requests.flux and run-tokens.flux back
 * into the RequestRecord objects requests.jsonl holds. Metrics come from their own fields, the chunk log from
 * the llm_token points, everything else from the `record_json` field the mapping stores for exactly this.
 * (analytics may import only pipeline/core, so the field names are repeated here; the FluxSource round-trip
 * test keeps the two sides in step.)
 */
import { AnalyticsError } from '../pipeline/core/errors.js';
import { REQUEST_METRICS, type ChunkLogEntry, type RequestMetrics, type RequestRecord } from '../pipeline/core/record.js';

const RECORD_JSON_FIELD = 'record_json';

/** One row of run-tokens.flux. */
export interface TokenRow {
  readonly request_id: string;
  readonly index: number;
  readonly tokens: number;
  readonly offset_ms: number;
}

/** Chunk logs by request id, each in chunk order. */
export function chunkLogsOf(rows: Iterable<TokenRow>): Map<string, ChunkLogEntry[]> {
  const byRequest = new Map<string, Array<[number, ChunkLogEntry]>>();
  for (const row of rows) {
    let entries = byRequest.get(row.request_id);
    if (!entries) byRequest.set(row.request_id, (entries = []));
    entries.push([row.index, [row.offset_ms, row.tokens]]);
  }
  const logs = new Map<string, ChunkLogEntry[]>();
  for (const [requestId, entries] of byRequest) {
    entries.sort((a, b) => a[0] - b[0]);
    logs.set(requestId, entries.map(([, entry]) => entry));
  }
  return logs;
}

/** One row of run-requests.flux (fields as columns) plus its chunk log → the record. */
export function recordFromRow(row: Readonly<Record<string, unknown>>, chunks: ChunkLogEntry[]): RequestRecord {
  const json = row[RECORD_JSON_FIELD];
  if (typeof json !== 'string' || json === '') {
    throw new AnalyticsError('INTERNAL', `an llm_request point of run ${String(row.run_id)} has no ${RECORD_JSON_FIELD} field`, {
      hint: 'it was not written by llmbench (or by an older version); push the run directory again',
    });
  }
  const base = JSON.parse(json) as Omit<RequestRecord, 'metrics' | 'chunks'>;
  const metrics: RequestMetrics = {};
  for (const name of REQUEST_METRICS) {
    const value = row[name];
    if (typeof value === 'number') metrics[name] = value;
  }
  return { ...base, metrics, chunks };
}
