/**
 * llama.cpp's `timings` object (engine-apis.md §4c): milliseconds as floats and tokens/s, measured by the
 * server from the slot starting the prompt (after any wait for a free slot) to the first sampled token
 * (`prompt_ms`) and from there to the last token (`predicted_ms`, N − 1 steps). Used by the native
 * `/completion` final event and by the last JSON before `[DONE]` on llama.cpp's `/v1` endpoints.
 */
import type { ServerReport } from '../../pipeline/core/engine.js';
import { compactReport, copyRaw, isObject, numberField } from './fields.js';

export function llamaCppTimingsReport(timings: unknown): ServerReport | undefined {
  if (!isObject(timings)) return undefined;
  return compactReport({
    // prompt_n excludes cache hits (cache_n): exactly the tokens prefill computed.
    promptTokensComputed: numberField(timings, 'prompt_n'),
    cachedTokens: numberField(timings, 'cache_n'),
    promptEvalDurationMs: numberField(timings, 'prompt_ms'),
    evalDurationMs: numberField(timings, 'predicted_ms'),
    promptTokenRateEngine: numberField(timings, 'prompt_per_second'),
    // The engine's own figure, kept beside llmbench's eval_token_rate ((N − 1) / eval): build b11669 also
    // divides N − 1 decode steps (older builds divided N).
    evalTokenRateEngine: numberField(timings, 'predicted_per_second'),
    raw: copyRaw({}, timings, 'timings'),
  });
}
