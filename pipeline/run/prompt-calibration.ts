/**
 * Synthetic prompts aimed at the server's own token count (DESIGN §5): a synthetic prompt is a nonce and N − 1
 * common words, one token each for most BPE tokenizers, but a byte-level tokenizer (the tiny llama.cpp model
 * here) makes ~9 tokens of a word. Where the engine serves a tokenizer endpoint, preflight tokenizes a prompt
 * built exactly as the workers build theirs (same nonce length), scales the word count by requested/counted,
 * and checks again, up to MAX_ROUNDS times or until within TOLERANCE. The workers then build prompts of that
 * many words; run.json `target.prompt_calibration` says what was asked, what was sent, what the server counted.
 * Without an endpoint nothing changes (and the analysis warns when the server's count is off by > 10 %).
 */
import type { EngineAdapter, PreflightHttp } from '../core/engine.js';
import { syntheticPrompt } from '../pool/prompts.js';

const MAX_ROUNDS = 4;
const TOLERANCE = 0.02;

export interface PromptCalibration {
  readonly requested_tokens: number;
  /** Words per synthetic prompt, the nonce counted as one; null when it could not be calibrated. */
  readonly prompt_words: number | null;
  /** What the server counted for a prompt of prompt_words (or of the requested length, uncalibrated). */
  readonly server_tokens: number | null;
  readonly endpoint: string | null;
  /** Why there is no calibration, when there is none. */
  readonly reason?: string;
}

export async function calibratePromptWords(
  http: PreflightHttp,
  adapter: EngineAdapter,
  model: string,
  requestedTokens: number,
  nonce: string,
  seed: number,
): Promise<PromptCalibration> {
  const tokenizer = adapter.tokenize;
  if (!tokenizer) return { requested_tokens: requestedTokens, prompt_words: null, server_tokens: null, endpoint: null, reason: `${adapter.kind} serves no tokenizer endpoint` };
  const count = async (words: number) => {
    const spec = tokenizer.request(syntheticPrompt(words, nonce, seed), model);
    const response = await http.request(spec).catch(() => undefined);
    return { path: spec.path, tokens: response ? tokenizer.count(response.status, response.body) : undefined, status: response?.status };
  };
  let words = requestedTokens;
  let measured = await count(words);
  if (measured.tokens === undefined || measured.tokens <= 0) {
    return {
      requested_tokens: requestedTokens,
      prompt_words: null,
      server_tokens: null,
      endpoint: measured.path,
      reason: `POST ${measured.path} gave no token count${measured.status !== undefined ? ` (HTTP ${measured.status})` : ''}`,
    };
  }
  for (let round = 1; round < MAX_ROUNDS && Math.abs(measured.tokens! - requestedTokens) / requestedTokens > TOLERANCE; round++) {
    const next = Math.max(1, Math.round((words * requestedTokens) / measured.tokens!));
    if (next === words) break;
    const attempt = await count(next);
    if (attempt.tokens === undefined) break;
    words = next;
    measured = attempt;
  }
  return { requested_tokens: requestedTokens, prompt_words: words, server_tokens: measured.tokens!, endpoint: measured.path };
}
