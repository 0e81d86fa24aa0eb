/**
 * Any OpenAI-compatible server (LM Studio, LiteLLM, hosted APIs, llama.cpp or Ollama behind /v1 …).
 * `chat` is the default because it is the endpoint every such server implements (hosted APIs have retired
 * /v1/completions); `completions` is there for servers that have it. Only standard OpenAI fields are sent
 * (`max_tokens`, `temperature`, `seed`, `stream_options.include_usage`): strict servers reject unknown
 * ones, so there is no ignore_eos/min_tokens and N is only a cap; the usage chunk's completion_tokens is
 * the authoritative count. When a server sends a per-chunk counter anyway (vLLM-style continuous usage,
 * llama.cpp timings), tokens per chunk come from it; otherwise one per non-empty chunk (`counted: false`).
 */
import type { ApiKind, EngineAdapter, GenerationRequest } from '../../pipeline/core/engine.js';
import { openAiModelList, openAiOnlyResponses, openAiRequest, type OpenAiApi } from './openai-compat.js';
import { PreflightProbe } from './preflight-probe.js';
import { resolveApi } from './request-spec.js';

const SUPPORTED_APIS: readonly ApiKind[] = ['chat', 'completions'];
const apiOf = (request: GenerationRequest) => resolveApi(request.api, SUPPORTED_APIS, 'chat') as OpenAiApi;

export const openai: EngineAdapter = {
  kind: 'openai',
  defaultApi: 'chat',
  supportedApis: SUPPORTED_APIS,
  healthPath: '/v1/models',

  buildRequest: (request) => openAiRequest(request, apiOf(request)),

  ...openAiOnlyResponses,

  async preflight(http, model) {
    const probe = new PreflightProbe(http, 'openai');
    const list = await openAiModelList(probe);
    probe.requireModel(model, list.ids, (id) => id === model);
    return { engine: 'openai', models: list.ids, details: {} };
  },
};
