/**
 * Each engine's health/info/model-list answers (engine-apis.md §1f, §2f, §3f, §4f, §5; llama.cpp's from a
 * real llama-server), including each one's answer for an unknown path, which is what a wrong --engine hits.
 */
import type { EngineKind } from '../../../pipeline/core/engine.js';
import type { EngineScript } from './scripted-server.js';

const LLAMA_MODELS = {
  models: [{ name: 'llmbench-tiny', model: 'llmbench-tiny', modified_at: '', size: '', digest: '', type: 'model', description: '', tags: [''], capabilities: ['completion'], parameters: '', details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' } }],
  object: 'list',
  data: [{ id: 'llmbench-tiny', aliases: ['llmbench-tiny', 'tiny'], tags: [], object: 'model', created: 1795807917, owned_by: 'llamacpp', meta: { vocab_type: 1, n_vocab: 334, n_ctx: 2048, n_ctx_train: 2048, n_embd: 256, n_params: 3319040, size: 13276160 } }],
};

export const ENGINE_SCRIPTS: Record<EngineKind, EngineScript> = {
  ollama: {
    routes: {
      '/': { body: 'Ollama is running' },
      '/api/version': { body: { version: '0.6.8' } },
      '/api/tags': {
        body: {
          models: [
            { name: 'llama3.2:3b', model: 'llama3.2:3b', modified_at: '2025-06-01T12:00:00Z', size: 2019393189, digest: 'a80c4f17acd5', details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' } },
            { name: 'qwen3:latest', model: 'qwen3:latest', modified_at: '2025-06-01T12:00:00Z', size: 5225388164, digest: '500a1f067a9f', details: { format: 'gguf', family: 'qwen3' } },
          ],
        },
      },
      '/api/ps': { body: { models: [{ name: 'llama3.2:3b', model: 'llama3.2:3b', size_vram: 2019393189, context_length: 4096 }] } },
    },
    notFound: { status: 404, body: '404 page not found' },
  },
  vllm: {
    routes: {
      '/health': { body: '' },
      '/version': { body: { version: '0.11.0' } },
      '/v1/models': {
        body: { object: 'list', data: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model', created: 1748779200, owned_by: 'vllm', root: 'meta-llama/Llama-3.1-8B-Instruct', parent: null, max_model_len: 8192, permission: [] }] },
      },
    },
    notFound: { status: 404, body: { detail: 'Not Found' } },
  },
  tgi: {
    routes: {
      '/health': { body: '' },
      '/info': {
        body: { model_id: 'meta-llama/Llama-3.1-8B-Instruct', model_sha: 'abc', model_pipeline_tag: 'text-generation', max_concurrent_requests: 128, max_best_of: 2, max_stop_sequences: 4, max_input_tokens: 4095, max_total_tokens: 4096, validation_workers: 2, max_client_batch_size: 4, router: 'text-generation-router', version: '3.3.6', sha: 'db931fc', docker_label: null },
      },
      '/v1/models': { body: { object: 'list', data: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model', created: 0, owned_by: 'meta-llama/Llama-3.1-8B-Instruct' }] } },
    },
    notFound: { status: 404, body: '' },
  },
  llamacpp: {
    routes: {
      '/health': { body: { status: 'ok' }, headers: { server: 'llama.cpp' } },
      '/v1/models': { body: LLAMA_MODELS, headers: { server: 'llama.cpp' } },
      '/props': { body: { default_generation_settings: { n_ctx: 2048, params: { seed: 4294967295 } }, total_slots: 4, model_path: '/models/tiny.gguf', build_info: 'b11669-Debian' }, headers: { server: 'llama.cpp' } },
    },
    notFound: { status: 404, body: { error: { message: 'File Not Found', type: 'not_found_error', code: 404 } }, headers: { server: 'llama.cpp' } },
  },
  openai: {
    routes: {
      '/v1/models': { body: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] } },
    },
    notFound: { status: 404, body: { error: { message: 'Not found', type: 'invalid_request_error', param: null, code: null } } },
  },
  sglang: {
    routes: {
      '/health': { body: '' },
      '/get_model_info': { body: { model_path: 'Qwen/Qwen2.5-7B-Instruct', tokenizer_path: 'Qwen/Qwen2.5-7B-Instruct', is_generation: true } },
      '/get_server_info': { body: { version: '0.4.6', tp_size: 1 } },
      '/v1/models': { body: { object: 'list', data: [{ id: 'Qwen/Qwen2.5-7B-Instruct', object: 'model', created: 1, owned_by: 'sglang', root: 'Qwen/Qwen2.5-7B-Instruct' }] } },
    },
    notFound: { status: 404, body: { detail: 'Not Found' } },
  },
};

/** The model each script serves, for happy-path preflights. */
export const SERVED_MODEL: Record<EngineKind, string> = {
  ollama: 'llama3.2:3b',
  vllm: 'meta-llama/Llama-3.1-8B-Instruct',
  tgi: 'meta-llama/Llama-3.1-8B-Instruct',
  llamacpp: 'llmbench-tiny',
  openai: 'gpt-4o-mini',
  sglang: 'Qwen/Qwen2.5-7B-Instruct',
};
