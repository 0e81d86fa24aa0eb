/**
 * llama.cpp's non-generation endpoints (/props, /slots, /v1/models) in the shapes of the recorded Debian build
 * (test/fixtures/llamacpp/). /slots shows a slot that never ran a task as four keys only, and a slot that did
 * with its last task's numbers and settings, as the real server does.
 */
import type { SimCore } from '../dialect.js';
import { DEFAULT_SETTINGS, generationSettings, type RequestSettings } from './llamacpp-settings.js';

export const BOS_TOKEN = '<s>';
export const EOS_TOKEN = '</s>';
const CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

interface LastTask {
  readonly requestId: string;
  readonly taskId: number;
  readonly promptTokens: number;
  readonly settings: RequestSettings;
}

/** The last task each slot ran: what /slots keeps showing after the slot is free again. */
export class SlotHistory {
  readonly #last = new Map<number, LastTask>();
  #nextTaskId = 0;

  /** A request holds `slot`; noting the same request again keeps its task id. */
  note(slot: number, requestId: string, promptTokens: number, settings: RequestSettings): void {
    if (this.#last.get(slot)?.requestId === requestId) return;
    this.#last.set(slot, { requestId, taskId: this.#nextTaskId++, promptTokens, settings });
  }

  get(slot: number): LastTask | undefined {
    return this.#last.get(slot);
  }
}

export function slotsBody(core: SimCore, history: SlotHistory): unknown[] {
  const snapshot = core.driver.snapshot();
  const busyBySlot = new Map(snapshot.slotStates.map((s) => [s.slot, s]));
  const count = Math.max(core.options.perf.slots, ...snapshot.slotStates.map((s) => s.slot + 1));
  const nCtx = core.options.perf.maxModelLen;
  return Array.from({ length: count }, (_, id) => {
    const head = { id, n_ctx: nCtx, speculative: false, is_processing: busyBySlot.has(id) };
    const busy = busyBySlot.get(id);
    const last = history.get(id);
    if (!busy && !last) return head;
    const settings = last?.settings ?? { ...DEFAULT_SETTINGS, nPredict: busy!.outputTokens, stream: true };
    return {
      ...head,
      id_task: busy ? busy.jobId : last!.taskId,
      n_prompt_tokens: busy ? busy.promptTokens : last!.promptTokens,
      n_prompt_tokens_processed: busy ? busy.promptTokens : 0,
      n_prompt_tokens_cache: 0,
      params: generationSettings(settings, false),
      // One entry per sequence the slot decodes (this build sends a list).
      next_token: [
        busy
          ? { has_next_token: true, has_new_line: false, n_remain: busy.outputTokens - busy.generated, n_decoded: busy.generated }
          : { has_next_token: false, has_new_line: false, n_remain: -1, n_decoded: 0 },
      ],
    };
  });
}

export function propsBody(core: SimCore, buildInfo: string): unknown {
  const { model, perf } = core.options;
  return {
    default_generation_settings: { params: generationSettings(DEFAULT_SETTINGS, false, 'none'), n_ctx: perf.maxModelLen },
    total_slots: perf.slots,
    model_alias: model,
    model_ftype: '(guessed) all F32',
    model_path: `/models/${model}.gguf`,
    modalities: { vision: false, video: false, audio: false },
    media_marker: '<__media_sim__>',
    endpoint_slots: true,
    endpoint_props: false,
    endpoint_metrics: true,
    ui: true,
    ui_settings: {},
    chat_template: CHAT_TEMPLATE,
    chat_template_caps: {
      supports_object_arguments: false,
      supports_parallel_tool_calls: false,
      supports_preserve_reasoning: false,
      supports_reasoning_effort: false,
      supports_string_content: true,
      supports_system_role: true,
      supports_tool_calls: false,
      supports_tools: false,
      supports_typed_content: false,
    },
    bos_token: BOS_TOKEN,
    eos_token: EOS_TOKEN,
    build_info: buildInfo,
    is_sleeping: false,
    cors_proxy_enabled: false,
  };
}

/** /v1/models: an Ollama-style `models` list and the OpenAI `data` list, the served alias in both. */
export function modelListBody(core: SimCore): unknown {
  const { model, perf } = core.options;
  const meta = { vocab_type: 1, n_vocab: 334, n_ctx: perf.maxModelLen, n_ctx_train: perf.maxModelLen, n_embd: 256, n_params: 3_319_040, size: 13_276_160, ftype: '(guessed) all F32' };
  return {
    models: [
      {
        name: model,
        model,
        modified_at: '',
        size: '',
        digest: '',
        type: 'model',
        description: '',
        tags: [''],
        capabilities: ['completion'],
        parameters: '',
        details: { parent_model: '', format: 'gguf', family: '', families: [''], parameter_size: '', quantization_level: '' },
      },
    ],
    object: 'list',
    data: [
      {
        id: model,
        aliases: [model],
        tags: [],
        object: 'model',
        architecture: { input_modalities: ['text'], output_modalities: ['text'] },
        created: Math.floor(core.startedMs / 1000),
        owned_by: 'llamacpp',
        meta,
      },
    ],
  };
}
