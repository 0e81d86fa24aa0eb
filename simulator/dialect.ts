/**
 * What a dialect (one engine's HTTP API) sees and provides. A dialect turns requests into a GenerationSpec
 * (how many tokens, and how to frame them on the wire); the shared runtime (generation.ts) does the timing,
 * the faults and the ground truth, so every engine gets them the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineDriver } from './engine-driver.js';
import type { FaultPlanner } from './faults.js';
import type { GroundTruthStore } from './ground-truth.js';
import type { HistogramBuckets, LiveStats } from './live-stats.js';
import type { ResolvedOptions, SimEngine } from './options.js';
import type { SimToken } from './tokens.js';

/** Shared state of one running simulator. */
export interface SimCore {
  readonly options: ResolvedOptions;
  readonly driver: EngineDriver;
  readonly stats: LiveStats;
  readonly faults: FaultPlanner;
  readonly groundTruth: GroundTruthStore;
  /** Epoch ms when the server started. */
  readonly startedMs: number;
  nowMs(): number;
  /** A fresh per-request number (seeds the generated text). */
  nextSequence(): number;
}

/** The live state of one generation, handed to the framing callbacks. Times are epoch ms. */
export interface GenerationState {
  readonly requestId: string;
  readonly promptTokens: number;
  /** Tokens this request will generate when nothing breaks it. */
  readonly targetTokens: number;
  /** Finish reason when it completes: `length` (hit the cap) or `stop` (the "model" ended). */
  readonly finishReason: 'length' | 'stop';
  readonly tokens: SimToken[];
  text: string;
  readonly receivedMs: number;
  /** Unix seconds at receipt (the `created` field). */
  readonly createdS: number;
  admittedMs?: number;
  firstTokenMs?: number;
  lastTokenMs?: number;
  /** Engine slot that ran it (llama.cpp id_slot). */
  slot: number;
}

export interface StreamPlan {
  readonly kind: 'stream';
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Go servers (Ollama) send the status line with the first body write; the others flush it at once. */
  readonly headersWithFirstWrite?: boolean;
  /** Tokens merged into one chunk (first token always alone). Default 1. */
  readonly tokensPerChunk?: number;
  /** Written in the same write as the first content chunk (e.g. a role-only chunk). */
  preamble?(state: GenerationState): string;
  /**
   * One content chunk carrying `tokens` (already appended to state); `last` when no token follows. The array
   * is reused for the next chunk: read it during the call, do not keep it.
   */
  chunk(tokens: readonly SimToken[], state: GenerationState, last: boolean): string;
  /** After the last content chunk: finish and usage events, then the terminator. */
  epilogue(state: GenerationState): string;
  /** The engine's error event after a 200, including the terminator it sends after one. */
  midStreamError(message: string, state: GenerationState): string;
  /** One event whose payload is not valid JSON (fault injection). */
  malformed(state: GenerationState): string;
}

export interface UnaryPlan {
  readonly kind: 'unary';
  respond(state: GenerationState): { contentType: string; body: string; headers?: Readonly<Record<string, string>> };
}

export interface ErrorResponse {
  readonly contentType: string;
  readonly body: string;
}

export interface GenerationSpec {
  readonly model: string;
  readonly stream: boolean;
  readonly promptTokens: number;
  readonly targetTokens: number;
  readonly finishReason: 'length' | 'stop';
  /** The request's cap (for the max-tokens histograms). */
  readonly maxTokens: number;
  readonly plan: StreamPlan | UnaryPlan;
  /** The engine's error body for an error status on this endpoint (injected faults, overload). */
  errorBody(status: number, message: string): ErrorResponse;
  /** What the engine answers when it is full (perf.maxInFlight reached). */
  readonly overload?: { readonly status: number; readonly message: string };
}

export interface RequestContext {
  readonly core: SimCore;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly receivedMs: number;
  readonly bodyText: string;
  /** The body parsed as JSON; `error` holds the parser's message when it is not JSON. */
  json(): { ok: true; value: unknown } | { ok: false; error: string };
  /** A plain response (health, model lists, validation errors); an empty contentType sends none. Recorded in ground truth on generation routes. */
  send(status: number, contentType: string, body: string, headers?: Readonly<Record<string, string>>): void;
  sendJson(status: number, value: unknown, headers?: Readonly<Record<string, string>>): void;
  /** Notes facts for the ground truth of a request that ends in an error before generating. */
  note(facts: { model?: string; stream?: boolean; promptTokens?: number }): void;
  /** Runs the generation; resolves when the response is over (ended, failed or abandoned). */
  generate(spec: GenerationSpec): Promise<void>;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly path: string;
  /** Generation endpoints are recorded in ground truth. */
  readonly generation?: boolean;
  handle(context: RequestContext): void | Promise<void>;
}

export interface Dialect {
  readonly engine: SimEngine;
  readonly routes: readonly Route[];
  /** Response for a path the engine does not serve (each framework says it its own way). */
  notFound(context: RequestContext): void;
}

/** One engine's dialect: its histogram bounds (needed before the core exists) and a factory. */
export interface DialectModule {
  /** Histogram bounds this engine's /metrics uses. */
  buckets(options: ResolvedOptions): HistogramBuckets;
  create(core: SimCore): Dialect;
}

export const SSE_CONTENT_TYPE = 'text/event-stream';
export const JSON_CONTENT_TYPE = 'application/json';

/** One SSE event with a data payload. */
export function sseData(payload: string): string {
  return `data: ${payload}\n\n`;
}
