/**
 * vLLM's per-request `metrics` object (engine-apis.md §2c; server flag `--enable-per-request-metrics`,
 * recent builds): milliseconds as floats from the engine's own request timestamps. `time_to_first_token_ms`
 * runs from scheduling to the first token, i.e. prefill (not the client's TTFT); `tokens_per_second`
 * includes prefill, so it is kept raw only and never used as a decode rate.
 */
import type { ServerReport } from '../../pipeline/core/engine.js';
import { compactReport, copyRaw, isObject, numberField } from './fields.js';

export function vllmMetricsReport(metrics: unknown): ServerReport | undefined {
  if (!isObject(metrics)) return undefined;
  return compactReport({
    queueMs: numberField(metrics, 'queue_time_ms'),
    promptEvalDurationMs: numberField(metrics, 'time_to_first_token_ms'),
    evalDurationMs: numberField(metrics, 'generation_time_ms'),
    raw: copyRaw({}, metrics, 'metrics'),
  });
}
