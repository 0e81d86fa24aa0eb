/**
 * The vLLM/OpenAI/SGLang stream chunks are built as strings (openai-compat.ts ChunkWriter) for speed. This
 * checks them byte for byte against the object serialization they replaced (kept below as the reference),
 * for every flavour, both APIs, every usage/token-id option, first/middle/last chunks and awkward text.
 */
import test from 'ava';
import type { GenerationState, StreamPlan } from '../../simulator/dialect.js';
import { ChunkWriter, type OpenAiFlavour } from '../../simulator/dialects/openai-compat.js';
import type { OpenAiApi, OpenAiRequest } from '../../simulator/dialects/openai-request.js';
import { promptTokenIds, type SimToken } from '../../simulator/tokens.js';

interface Variant {
  readonly flavour: OpenAiFlavour;
  readonly request: OpenAiRequest;
  readonly id: string;
  readonly model: string;
}

/** The serialization before the string builder: JSON.stringify of the chunk object, vLLM's key order. */
function referenceChunk(variant: Variant, tokens: readonly SimToken[], state: GenerationState, last: boolean): string {
  const { flavour, request } = variant;
  const chat = request.api === 'chat';
  const text = tokens.map((t) => t.text).join('');
  const finish = last ? state.finishReason : null;
  if (chat) return referenceChatChunk(variant, { content: text }, finish, state, state.tokens.length, tokens);
  const choice: Record<string, unknown> = { index: 0, text, logprobs: null, finish_reason: finish };
  if (flavour !== 'openai') choice.stop_reason = null;
  if (flavour === 'vllm') {
    const first = state.tokens.length === tokens.length;
    choice.prompt_token_ids = request.returnTokenIds && first ? promptTokenIds(state.promptTokens) : null;
    choice.token_ids = request.returnTokenIds ? tokens.map((t) => t.id) : null;
  }
  const chunk: Record<string, unknown> = { ...referenceHead(variant, state), choices: [choice] };
  if (continuousUsage(variant)) chunk.usage = referenceUsage(state.promptTokens, state.tokens.length);
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function referenceChatChunk(
  variant: Variant,
  delta: Record<string, unknown>,
  finish: string | null,
  state: GenerationState,
  completionTokens: number,
  tokens?: readonly SimToken[],
): string {
  const choice: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finish };
  if (finish !== null && variant.flavour !== 'openai') choice.stop_reason = null;
  if (tokens && variant.request.returnTokenIds && variant.flavour === 'vllm') choice.token_ids = tokens.map((t) => t.id);
  const chunk: Record<string, unknown> = { ...referenceHead(variant, state), choices: [choice] };
  if (continuousUsage(variant)) chunk.usage = referenceUsage(state.promptTokens, completionTokens);
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function referenceHead(variant: Variant, state: GenerationState): Record<string, unknown> {
  return { id: variant.id, object: variant.request.api === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: state.createdS, model: variant.model };
}

function referenceUsage(promptTokens: number, completionTokens: number): Record<string, number> {
  return { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens };
}

function continuousUsage(variant: Variant): boolean {
  return variant.request.includeUsage && variant.request.continuousUsageStats && variant.flavour !== 'openai';
}

function request(api: OpenAiApi, includeUsage: boolean, continuousUsageStats: boolean, returnTokenIds: boolean): OpenAiRequest {
  return {
    api,
    model: 'sim',
    stream: true,
    hasStreamOptions: includeUsage || continuousUsageStats,
    includeUsage,
    continuousUsageStats,
    promptTokens: 5,
    maxTokens: 7,
    minTokens: undefined,
    ignoreEos: false,
    returnTokenIds,
    streamInterval: undefined,
  };
}

function variants(): Variant[] {
  const out: Variant[] = [];
  for (const flavour of ['vllm', 'openai', 'sglang'] as const) {
    for (const api of ['chat', 'completions'] as const) {
      for (const includeUsage of [false, true]) {
        for (const continuous of [false, true]) {
          for (const ids of [false, true]) {
            out.push({ flavour, request: request(api, includeUsage, continuous, ids), id: `${api === 'chat' ? 'chatcmpl' : 'cmpl'}-0123abc`, model: 'sim' });
          }
        }
      }
    }
  }
  // Names that need escaping in the constant head.
  out.push({ flavour: 'vllm', request: request('chat', true, true, true), id: 'chatcmpl-"quoted"\\id', model: 'org/Model "x" ☃\u0001' });
  out.push({ flavour: 'sglang', request: request('completions', true, true, false), id: 'cmpl-\u2028', model: 'm\ud800' });
  return out;
}

/** Token texts that exercise JSON escaping: quotes, backslashes, control characters, non-ASCII, lone surrogates. */
const TEXTS = [' the', ' "quoted"', ' back\\slash', ' tab\tnew\nline', ' \u0000\u001f', ' ☃ é 日本', ' \ud83d\ude00', ' \ud800', ' </script>', ''];

function tokenAt(i: number): SimToken {
  return { id: 1000 + i * 37, text: TEXTS[i % TEXTS.length]! };
}

/** Streams `count` tokens through the plan and the reference in chunks of `perChunk` (first token alone). */
function streamBoth(t: import('ava').ExecutionContext, variant: Variant, plan: StreamPlan, count: number, perChunk: number, finishReason: 'length' | 'stop'): void {
  const state: GenerationState = {
    requestId: 'r',
    promptTokens: 5,
    targetTokens: count,
    finishReason,
    tokens: [],
    text: '',
    receivedMs: 1_700_000_000_123,
    createdS: 1_700_000_000,
    slot: 0,
  };
  const label = `${variant.flavour} ${variant.request.api} usage=${variant.request.includeUsage} continuous=${variant.request.continuousUsageStats} ids=${variant.request.returnTokenIds} per=${perChunk}`;
  if (plan.preamble) t.is(plan.preamble(state), referenceChatChunk(variant, { role: 'assistant', content: '' }, null, state, 0), `${label} preamble`);
  else t.is(variant.request.api, 'completions', `${label}: only chat has a role preamble`);
  let pending: SimToken[] = [];
  for (let i = 1; i <= count; i++) {
    const token = tokenAt(i);
    state.tokens.push(token);
    state.text += token.text;
    pending.push(token);
    const last = i === count;
    if (!(i === 1 || pending.length >= perChunk || last)) continue;
    t.is(plan.chunk(pending, state, last), referenceChunk(variant, pending, state, last), `${label} token ${i}`);
    pending = [];
  }
}

test('stream chunks are byte-identical to the object serialization in every variant', (t) => {
  for (const variant of variants()) {
    for (const perChunk of [1, 3]) {
      for (const finishReason of ['length', 'stop'] as const) {
        const writer = new ChunkWriter(variant.flavour, variant.request, variant.id, variant.model, false);
        streamBoth(t, variant, writer.streamPlan(perChunk), 11, perChunk, finishReason);
      }
    }
  }
});

test('one-token streams: the first chunk is also the last', (t) => {
  for (const variant of variants()) {
    const writer = new ChunkWriter(variant.flavour, variant.request, variant.id, variant.model, false);
    streamBoth(t, variant, writer.streamPlan(1), 1, 1, 'length');
  }
});
