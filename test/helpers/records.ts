/** Builders for RequestRecord fixtures in tests. */
import type { RequestRecord } from '../../pipeline/core/record.js';

export function okRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    request_id: 'r-1',
    run_id: 'run-1',
    stage: 'main',
    stage_index: 0,
    warmup: false,
    status: 'ok',
    engine: 'vllm',
    model: 'sim',
    stream: true,
    worker: 0,
    t_intended: 1000,
    t_dispatch: 1000,
    t_send: 1001,
    t_headers: 1005,
    t_first_token: 1051,
    t_last_token: 1081,
    t_done: 1082,
    prompt_tokens: 10,
    output_tokens: 4,
    token_source: 'server',
    chunks: [
      [50, 1],
      [60, 1],
      [70, 1],
      [80, 1],
    ],
    metrics: { ttft_ms: 50, total_duration_ms: 81, itl_ms: 10, schedule_lag_ms: 1 },
    sources: { ttft_ms: 'client', total_duration_ms: 'client', itl_ms: 'client', schedule_lag_ms: 'client' },
    server: {},
    ...overrides,
  };
}
