/**
 * vLLM's OpenAI-compatible server (engine-apis.md §2). `completions` (default: no chat template, no role
 * chunk) or `chat`; vLLM has no other API, so `native` means `completions`.
 * Exactly N tokens: `max_tokens = min_tokens = N` with `ignore_eos`. Per-chunk token counts from
 * `stream_options.continuous_usage_stats` (cumulative `usage.completion_tokens` on every chunk), because
 * vLLM merges several tokens into one chunk under load, with speculative decoding or a stream interval.
 * `cache_salt` (the request id) keeps the prefix cache from shortening prefill between requests.
 * With `--enable-per-request-metrics` the usage chunk carries server queue/prefill/decode times.
 */
import { vllmTokenizer } from './tokenizers.js';
import type { ApiKind, EngineAdapter, GenerationRequest } from '../../pipeline/core/engine.js';
import { numberField, stringField } from './fields.js';
import { openAiModelList, openAiOnlyResponses, openAiRequest, type OpenAiApi } from './openai-compat.js';
import { guessEngine, PreflightProbe } from './preflight-probe.js';
import { resolveApi } from './request-spec.js';

const SUPPORTED_APIS: readonly ApiKind[] = ['completions', 'chat'];
const apiOf = (request: GenerationRequest) => resolveApi(request.api, SUPPORTED_APIS, 'completions') as OpenAiApi;

export const vllm: EngineAdapter = {
  kind: 'vllm',
  defaultApi: 'completions',
  supportedApis: SUPPORTED_APIS,
  healthPath: '/health',
  metricsPath: '/metrics',
  tokenize: vllmTokenizer,

  buildRequest(request) {
    return openAiRequest(request, apiOf(request), {
      extras: { min_tokens: request.maxTokens, ignore_eos: true, cache_salt: request.requestId },
      streamOptions: { continuous_usage_stats: true },
    });
  },

  ...openAiOnlyResponses,

  async preflight(http, model) {
    const probe = new PreflightProbe(http, 'vllm');
    // /health is 200 with an empty body once the engine is up, 503 when it died (EngineDeadError).
    await probe.ok('/health');
    const list = await openAiModelList(probe);
    await rejectOtherEngine(probe, list.entries);
    probe.requireModel(model, list.ids, (id) => id === model);
    const version = stringField(await probe.optionalJson('/version'), 'version');
    const served = list.entries.find((m) => stringField(m, 'id') === model);
    const maxModelLen = numberField(served, 'max_model_len');
    return {
      engine: 'vllm',
      models: list.ids,
      ...(version !== undefined ? { version } : {}),
      details: maxModelLen !== undefined ? { max_model_len: maxModelLen } : {},
    };
  },
};

/**
 * llama.cpp, SGLang and TGI also answer /health and /v1/models, and the vllm adapter would then send them
 * vLLM-only fields. vLLM marks its models `owned_by: "vllm"`; when they are not, and the server is
 * recognisably another engine, say so (a proxy in front of vLLM that rewrites owned_by is not refused).
 */
async function rejectOtherEngine(probe: PreflightProbe, entries: readonly unknown[]): Promise<void> {
  if (entries.length === 0 || entries.some((m) => stringField(m, 'owned_by') === 'vllm')) return;
  const looksLike = await guessEngine(probe, 'vllm');
  if (looksLike && looksLike !== 'openai') {
    throw await probe.notThisEngine(await probe.get('/v1/models'), `models are not owned_by "vllm"`);
  }
}
