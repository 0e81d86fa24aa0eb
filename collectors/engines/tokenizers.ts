/**
 * The engines' tokenizer endpoints (vLLM, llama.cpp and TGI all serve `POST /tokenize`), each in its own shape:
 * vLLM `{model, prompt}` → `{count, tokens, …}`; llama.cpp `{content}` → `{tokens: […]}`; TGI `{inputs}` →
 * `[{id, text, start, stop}, …]`.
 */
import type { HttpRequestSpec, Tokenizer } from '../../pipeline/core/engine.js';

function postJson(path: string, body: Record<string, unknown>): HttpRequestSpec {
  return { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function parsed(status: number, body: string): unknown {
  if (status !== 200) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined; // not JSON: no count
  }
}

export const vllmTokenizer: Tokenizer = {
  request: (text, model) => postJson('/tokenize', { model, prompt: text, add_special_tokens: true }),
  count(status, body) {
    const value = parsed(status, body) as { count?: unknown; tokens?: unknown } | undefined;
    if (typeof value?.count === 'number') return value.count;
    return Array.isArray(value?.tokens) ? value.tokens.length : undefined;
  },
};

export const llamacppTokenizer: Tokenizer = {
  request: (text) => postJson('/tokenize', { content: text, add_special: true }),
  count(status, body) {
    const value = parsed(status, body) as { tokens?: unknown } | undefined;
    return Array.isArray(value?.tokens) ? value.tokens.length : undefined;
  },
};

export const tgiTokenizer: Tokenizer = {
  request: (text) => postJson('/tokenize', { inputs: text }),
  count(status, body) {
    const value = parsed(status, body);
    return Array.isArray(value) ? value.length : undefined;
  },
};
