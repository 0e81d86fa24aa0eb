/**
 * The contract between the request runner and an engine adapter (collectors/engines/*).
 * An adapter knows one engine's wire format: how to ask for N tokens, how to read the stream, where the
 * server's timing fields are. It does no I/O of its own for generation: the runner owns the socket and the
 * clock, so timing is taken in one place, the same way for every engine.
 */
import type { ErrorKind } from './record.js';

export const ENGINE_KINDS = ['ollama', 'vllm', 'tgi', 'llamacpp', 'openai', 'sglang'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** Which endpoint family a request uses. `native` is the engine's own API where it has one. */
export type ApiKind = 'native' | 'completions' | 'chat';

export interface GenerationRequest {
  readonly requestId: string;
  readonly model: string;
  readonly prompt: string;
  /** Intended prompt length in tokens (the prompt text was built to have about this many). */
  readonly promptTokens: number;
  /** Exactly this many output tokens where the engine can force it, else a cap. */
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly api: ApiKind;
  readonly seed?: number;
  readonly apiKey?: string;
}

export interface HttpRequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * The server closes the connection after this response without saying so (llama-server after every
   * stream): send `connection: close` and use a fresh connection next time, instead of writing the next
   * request onto a socket the server is closing (which fails as "other side closed").
   */
  readonly closeConnection?: boolean;
}

/**
 * Server-side timing and counts for one request, already converted to ms / tokens.
 * Absent = the engine did not report it. Raw fields go to `raw` unconverted.
 */
export interface ServerReport {
  promptTokens?: number;
  /** Prompt tokens the engine actually computed (prompt minus cache hits), where it says. */
  promptTokensComputed?: number;
  cachedTokens?: number;
  outputTokens?: number;
  finishReason?: string;
  loadDurationMs?: number;
  promptEvalDurationMs?: number;
  evalDurationMs?: number;
  queueMs?: number;
  serverTotalDurationMs?: number;
  /** The engine's own prompt rate (tok/s) where it reports one (llama.cpp prompt_per_second). */
  promptTokenRateEngine?: number;
  /** The engine's own decode rate (tok/s), e.g. Ollama/llama.cpp N/eval_duration. */
  evalTokenRateEngine?: number;
  raw: Record<string, number | string | boolean | null>;
}

/** What the stream parser saw in one record (SSE event or NDJSON line). */
export type StreamEvent =
  /**
   * A chunk that carried generated content. `tokens` is the number of tokens it carried (≥ 0; 0 means a
   * content chunk with no complete token, e.g. a partial UTF-8 byte). `counted` says whether the number came
   * from an engine counter (true) or is the client's one-per-chunk assumption (false).
   */
  | { readonly type: 'content'; readonly tokens: number; readonly counted: boolean }
  /** Counts/timings carried by the stream (usage chunk, final event). May arrive more than once; later wins. */
  | { readonly type: 'report'; readonly report: ServerReport }
  /** An error after the 200 status line. */
  | { readonly type: 'error'; readonly kind: ErrorKind; readonly message: string }
  /** The engine's end-of-stream marker ([DONE], stop:true, done:true, TGI's last event). */
  | { readonly type: 'end' };

/** Incremental parser: survives records split across reads and many records in one read. */
export interface StreamParser {
  /** Feed the next decoded text of the body; returns the records completed by it. */
  push(text: string): StreamEvent[];
  /** The body ended; returns what a trailing unterminated record held. */
  finish(): StreamEvent[];
}

export interface NonStreamResult {
  readonly report: ServerReport;
  /** Output tokens the client can vouch for when the engine has no counter (e.g. one per returned token). */
  readonly outputTokens?: number;
  readonly error?: { readonly kind: ErrorKind; readonly message: string };
}

export interface EngineInfo {
  readonly engine: EngineKind;
  readonly models: readonly string[];
  readonly version?: string;
  /** Anything else the server says about itself (TGI /info, llama.cpp /props …), for run.json target. */
  readonly details?: Record<string, unknown>;
}

/** Minimal HTTP for preflight: GET/POST returning status and body text. The runner supplies it. */
export interface PreflightHttp {
  /** The target's base URL, for messages ("cannot reach vllm at http://…"); optional for test doubles. */
  readonly baseUrl?: string;
  request(spec: HttpRequestSpec): Promise<{ status: number; headers: Record<string, string>; body: string }>;
}

export interface EngineAdapter {
  readonly kind: EngineKind;
  /** Which API the adapter uses when the scenario does not say. */
  readonly defaultApi: ApiKind;
  readonly supportedApis: readonly ApiKind[];
  buildRequest(request: GenerationRequest): HttpRequestSpec;
  createStreamParser(request: GenerationRequest): StreamParser;
  /** Non-streaming mode: status, headers (lower-case names) and the whole body. */
  parseResponse(status: number, headers: Readonly<Record<string, string>>, body: string, request: GenerationRequest): NonStreamResult;
  /** Maps an HTTP error status and body to an error kind and a message. */
  classifyError(status: number, body: string): { kind: ErrorKind; message: string };
  /**
   * Health and model list. Throws EngineError: ENGINE_UNREACHABLE (cannot connect), ENGINE_REFUSED
   * (unhealthy, or `model` not served: the message lists what is), ENGINE_PROTOCOL (not this engine).
   */
  preflight(http: PreflightHttp, model: string): Promise<EngineInfo>;
  /** A cheap GET endpoint (health) used to measure the idle round trip; "/" when absent. */
  readonly healthPath?: string;
  /** Where the engine's Prometheus text is, if it has any. */
  readonly metricsPath?: string;
  /** The engine's tokenizer endpoint, where it has one: synthetic prompts are calibrated with it (pipeline/run/prompt-calibration.ts). */
  readonly tokenize?: Tokenizer;
}

export interface Tokenizer {
  request(text: string, model: string): HttpRequestSpec;
  /** The token count in the answer; undefined when it is not one (an older server, another endpoint). */
  count(status: number, body: string): number | undefined;
}
