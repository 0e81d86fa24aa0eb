/** The dialect of each engine: one explicit registry (no self-registration side effects). */
import type { DialectModule } from '../dialect.js';
import type { SimEngine } from '../options.js';
import { llamacppDialect } from './llamacpp.js';
import { ollamaDialect } from './ollama.js';
import { sglangDialect } from './sglang.js';
import { tgiDialect } from './tgi.js';
import { openaiDialect, vllmDialect } from './vllm.js';

export const DIALECTS: Readonly<Record<SimEngine, DialectModule>> = {
  ollama: ollamaDialect,
  vllm: vllmDialect,
  openai: openaiDialect,
  tgi: tgiDialect,
  llamacpp: llamacppDialect,
  sglang: sglangDialect,
};
