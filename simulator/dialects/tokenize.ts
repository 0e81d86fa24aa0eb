/**
 * `POST /tokenize` in each engine's shape, counted by the simulator's tokenizer (one token per word, tokens.ts):
 * vLLM `{model, prompt}` → `{count, max_model_len, tokens}`; llama.cpp `{content}` → `{tokens}`; TGI `{inputs}` →
 * `[{id, text, start, stop}, …]`. Token ids are word indexes: only the count matters to a client.
 */
import type { RequestContext, Route } from '../dialect.js';
import { countTextTokens } from '../tokens.js';

type Shape = 'vllm' | 'llamacpp' | 'tgi';
const TEXT_FIELD: Record<Shape, string> = { vllm: 'prompt', llamacpp: 'content', tgi: 'inputs' };

export function tokenizeRoute(shape: Shape, maxModelLen: number): Route {
  return {
    method: 'POST',
    path: '/tokenize',
    handle: (ctx: RequestContext) => {
      const parsed = ctx.json();
      const text = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>)[TEXT_FIELD[shape]] : undefined;
      if (typeof text !== 'string') {
        ctx.sendJson(shape === 'tgi' ? 422 : 400, shape === 'vllm' ? { object: 'error', message: `field "${TEXT_FIELD[shape]}" required`, type: 'BadRequestError', code: 400 } : { error: `"${TEXT_FIELD[shape]}" must be a string` });
        return;
      }
      const count = countTextTokens(text);
      const ids = Array.from({ length: count }, (_, i) => i + 1);
      if (shape === 'vllm') ctx.sendJson(200, { count, max_model_len: maxModelLen, tokens: ids, token_strs: null });
      else if (shape === 'llamacpp') ctx.sendJson(200, { tokens: ids });
      else ctx.sendJson(200, ids.map((id) => ({ id, text: 'w', start: 0, stop: 0 })));
    },
  };
}
