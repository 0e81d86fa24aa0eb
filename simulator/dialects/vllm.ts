/**
 * vLLM's OpenAI server (engine-apis.md §2): the /v1 endpoints, `/health` (200, empty body), `/version`,
 * `/ping`, and `/metrics` with vLLM's names. The `openai` engine is the same server with OpenAI's error
 * bodies and without vLLM's extra choice fields (see openai-compat.ts).
 */
import type { Dialect, DialectModule, RequestContext } from '../dialect.js';
import { PROMETHEUS_CONTENT_TYPE } from '../prometheus-text.js';
import { openAiRoutes, type OpenAiFlavour } from './openai-compat.js';
import { renderVllmMetrics, vllmBuckets } from './vllm-metrics.js';
import { tokenizeRoute } from './tokenize.js';

export const VLLM_VERSION = '0.11.0';

function vllmFamily(flavour: Extract<OpenAiFlavour, 'vllm' | 'openai'>): DialectModule {
  return {
    buckets: vllmBuckets,
    create(core): Dialect {
      return {
        engine: flavour,
        routes: [
          ...openAiRoutes(flavour),
          { method: 'GET', path: '/health', handle: (ctx) => ctx.send(200, '', '') },
          { method: 'GET', path: '/ping', handle: (ctx) => ctx.send(200, '', '') },
          { method: 'POST', path: '/ping', handle: (ctx) => ctx.send(200, '', '') },
          { method: 'GET', path: '/version', handle: (ctx) => ctx.sendJson(200, { version: VLLM_VERSION }) },
          tokenizeRoute('vllm', core.options.perf.maxModelLen),
          {
            method: 'GET',
            path: '/metrics',
            handle: (ctx) => ctx.send(200, PROMETHEUS_CONTENT_TYPE, renderVllmMetrics(core.options.model, core.stats, core.driver.snapshot())),
          },
        ],
        notFound: fastApiNotFound,
      };
    },
  };
}

export const vllmDialect = vllmFamily('vllm');
export const openaiDialect = vllmFamily('openai');

/** FastAPI/Starlette's answer for an unknown path (vLLM and SGLang). */
export function fastApiNotFound(ctx: RequestContext): void {
  ctx.sendJson(404, { detail: 'Not Found' });
}
