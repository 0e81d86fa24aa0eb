/**
 * How many tokens a request generates. The simulated model "wants" to write `naturalLengthTokens` tokens and
 * then emits EOS; a cap shorter than that ends it with `length`. Engines with exact-N controls (vLLM/SGLang
 * `ignore_eos`, `min_tokens`; llama.cpp `ignore_eos`) get exactly the cap, as the real engines do.
 */
export interface LengthRequest {
  /** The cap (max_tokens, n_predict, max_new_tokens …), ≥ 1. */
  readonly maxTokens: number;
  /** EOS is suppressed until this many tokens (vLLM min_tokens, SGLang min_new_tokens). */
  readonly minTokens?: number;
  readonly ignoreEos?: boolean;
}

export interface LengthDecision {
  readonly targetTokens: number;
  readonly finishReason: 'length' | 'stop';
}

export function decideLength(request: LengthRequest, naturalLengthTokens: number): LengthDecision {
  if (request.ignoreEos) return { targetTokens: request.maxTokens, finishReason: 'length' };
  const naturalTokens = Math.max(request.minTokens ?? 0, naturalLengthTokens);
  if (naturalTokens >= request.maxTokens) return { targetTokens: request.maxTokens, finishReason: 'length' };
  return { targetTokens: naturalTokens, finishReason: 'stop' };
}
