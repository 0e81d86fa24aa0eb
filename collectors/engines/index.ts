/**
 * The engine adapter registry: one explicit table, no import-time registration (STYLE: one file per
 * variant, one registry per kind). Adapters are stateless values, safe to share inside a worker thread.
 */
import { ENGINE_KINDS, type EngineAdapter, type EngineKind } from '../../pipeline/core/engine.js';
import { EngineError } from '../../pipeline/core/errors.js';
import { llamacpp } from './llamacpp.js';
import { ollama } from './ollama.js';
import { openai } from './openai.js';
import { sglang } from './sglang.js';
import { tgi } from './tgi.js';
import { vllm } from './vllm.js';

const ADAPTERS: Readonly<Record<EngineKind, EngineAdapter>> = { ollama, vllm, tgi, llamacpp, openai, sglang };

export function isEngineKind(value: unknown): value is EngineKind {
  return typeof value === 'string' && (ENGINE_KINDS as readonly string[]).includes(value);
}

/** The adapter for `kind`; EngineError ENGINE_UNKNOWN (exit 2) naming the known engines otherwise. */
export function adapterFor(kind: EngineKind | string): EngineAdapter {
  if (!isEngineKind(kind)) {
    throw new EngineError('ENGINE_UNKNOWN', `unknown engine "${kind}"; known engines: ${ENGINE_KINDS.join(', ')}`, {
      hint: `use --engine ${ENGINE_KINDS.join('|')}`,
    });
  }
  return ADAPTERS[kind];
}

export { llamacpp, ollama, openai, sglang, tgi, vllm };
