/** One CSV row per request: identity, status, stamps and every metric (csv-stringify does the quoting). */
import { stringify } from 'csv-stringify/sync';
import { REQUEST_METRICS, type RequestRecord } from '../../pipeline/core/record.js';

const IDENTITY = ['request_id', 'stage', 'warmup', 'status', 'error_kind', 'http_status', 'engine', 'model', 'stream'] as const;
const STAMPS = ['t_intended', 't_dispatch', 't_send', 't_headers', 't_first_token', 't_last_token', 't_done'] as const;

export function requestsCsv(records: readonly RequestRecord[]): string {
  const header = [...IDENTITY, ...STAMPS, 'prompt_tokens', 'output_tokens', 'token_source', 'finish_reason', ...REQUEST_METRICS];
  const rows = records.map((record) => [
    ...IDENTITY.map((key) => record[key] ?? ''),
    ...STAMPS.map((key) => record[key] ?? ''),
    record.prompt_tokens ?? '',
    record.output_tokens ?? '',
    record.token_source ?? '',
    record.finish_reason ?? '',
    ...REQUEST_METRICS.map((name) => record.metrics[name] ?? ''),
  ]);
  return stringify([header, ...rows]);
}
