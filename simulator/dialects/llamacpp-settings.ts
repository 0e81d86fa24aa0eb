/**
 * llama.cpp's per-request JSON pieces, in the key order and shapes of the recorded Debian build
 * (test/fixtures/llamacpp/, b11669): the sampling settings (`slot_params::to_json`) and `timings`.
 */
import type { GenerationState } from '../dialect.js';

/** What a request asked for, as the settings echo it. */
export interface RequestSettings {
  readonly nPredict: number;
  readonly ignoreEos: boolean;
  readonly stream: boolean;
  readonly seed?: number;
  readonly temperature?: number;
  readonly timingsPerToken: boolean;
  /** Chat requests go through the chat template: another parser and a generation prompt. */
  readonly chat: boolean;
}

export const DEFAULT_SETTINGS: RequestSettings = { nPredict: -1, ignoreEos: false, stream: false, timingsPerToken: false, chat: false };

/** llama.cpp's default seed (LLAMA_DEFAULT_SEED) and float32 defaults, printed as the server prints them. */
const DEFAULT_SEED = 4294967295;
const DEFAULT_TEMPERATURE = 0.800000011920929;
const EOS_TOKEN_ID = 2;
const CHAT_GENERATION_PROMPT = '<|im_start|>assistant\n';

/**
 * `generation_settings` of the final /completion event (`full`), or the shorter `params` of /props and /slots,
 * which leave out the stop strings, logit biases, grammar and DRY breakers.
 */
export function generationSettings(request: RequestSettings, full: boolean, reasoningFormat = 'deepseek'): Record<string, unknown> {
  const only = (entries: Record<string, unknown>) => (full ? entries : {});
  return {
    seed: request.seed ?? DEFAULT_SEED,
    temperature: request.temperature ?? DEFAULT_TEMPERATURE,
    dynatemp_range: 0.0,
    dynatemp_exponent: 1.0,
    top_k: 40,
    top_p: 0.949999988079071,
    min_p: 0.05000000074505806,
    top_n_sigma: -1.0,
    xtc_probability: 0.0,
    xtc_threshold: 0.10000000149011612,
    typical_p: 1.0,
    repeat_last_n: 64,
    repeat_penalty: 1.0,
    presence_penalty: 0.0,
    frequency_penalty: 0.0,
    dry_multiplier: 0.0,
    dry_base: 1.75,
    dry_allowed_length: 2,
    dry_penalty_last_n: 64,
    ...only({ dry_sequence_breakers: ['\n', ':', '"', '*'] }),
    mirostat: 0,
    mirostat_tau: 5.0,
    mirostat_eta: 0.10000000149011612,
    adaptive_target: -1.0,
    adaptive_decay: 0.8999999761581421,
    ...only({ stop: [] }),
    max_tokens: request.nPredict,
    n_predict: request.nPredict,
    n_keep: 0,
    n_discard: 0,
    ignore_eos: request.ignoreEos,
    stream: request.stream,
    // ignore_eos bans the EOS token with a -inf bias, which JSON cannot hold: the server writes null.
    ...only({ logit_bias: request.ignoreEos ? [{ bias: null, token: EOS_TOKEN_ID }] : [] }),
    n_probs: 0,
    min_keep: 0,
    ...only({ grammar: '', grammar_lazy: false, grammar_triggers: [], preserved_tokens: [] }),
    chat_format: request.chat ? 'peg-native' : 'Content-only',
    reasoning_format: reasoningFormat,
    reasoning_in_content: false,
    generation_prompt: request.chat ? CHAT_GENERATION_PROMPT : '',
    samplers: ['penalties', 'dry', 'top_n_sigma', 'top_k', 'typ_p', 'top_p', 'min_p', 'xtc', 'temperature'],
    'speculative.types': 'none',
    timings_per_token: request.timingsPerToken,
    post_sampling_probs: false,
    backend_sampling: false,
    lora: [],
  };
}

/** The server's minimum duration: its microsecond clock never reports 0 ms. */
const MIN_MS = 0.001;

/**
 * result_timings::to_json. Prompt rates use prompt_n; decode rates use predicted_n − 1 (the first token
 * belongs to the prompt's forward pass), 0 when there is only one token, as the recorded build does.
 */
export function timings(state: GenerationState, nowMs?: number): Record<string, number> {
  const admittedMs = state.admittedMs ?? state.receivedMs;
  const firstMs = state.firstTokenMs ?? admittedMs;
  const lastMs = nowMs ?? state.lastTokenMs ?? firstMs;
  const promptMs = Math.max(MIN_MS, firstMs - admittedMs);
  const predictedMs = Math.max(MIN_MS, lastMs - firstMs);
  const predicted = state.tokens.length;
  const steps = predicted - 1;
  return {
    cache_n: 0,
    prompt_n: state.promptTokens,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / state.promptTokens,
    prompt_per_second: (1e3 * state.promptTokens) / promptMs,
    predicted_n: predicted,
    predicted_ms: predictedMs,
    predicted_per_token_ms: steps > 0 ? predictedMs / steps : 0,
    predicted_per_second: steps > 0 ? (1e3 * steps) / predictedMs : 0,
  };
}
