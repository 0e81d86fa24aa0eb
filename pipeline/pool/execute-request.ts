/**
 * Sends one generation request and turns whatever happens into exactly one RequestRecord. Never throws:
 * per-request failures are data (DESIGN §12). The stamps are taken here, in the thread that owns the socket.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../core/clock.js';
import type { EngineAdapter, GenerationRequest, HttpRequestSpec, ServerReport, StreamEvent } from '../core/engine.js';
import { computeRequestMetrics } from '../core/request-metrics.js';
import type { ErrorKind, RequestRecord } from '../core/record.js';
import { onAbort } from '../core/abort-fanout.js';
import type { DispatchPacer } from './dispatch-pacer.js';
import { ChunkLog } from './chunk-log.js';
import { RequestCancel, type Cancellation } from './request-cancel.js';
import { exchange, type ExchangeSpec } from './http-exchange.js';
import { errorKindOfTransport } from './transport-errors.js';
import type { Watchdog } from './watchdog.js';

export interface RequestContext {
  readonly adapter: EngineAdapter;
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  readonly clock: Clock;
  readonly watchdog: Watchdog;
  readonly runId: string;
  readonly workerIndex: number;
  readonly networkRttMs: number;
  /**
   * Gives a finished request's bookkeeping its turn among the sends (dispatch-pacer.ts); the sends themselves
   * wait for their turn before the request is built (stream-worker.ts). None in most unit tests.
   */
  readonly pacer?: DispatchPacer;
  /** Path prefix of the target URL (e.g. "/proxy" for http://host/proxy), prepended to every request path. */
  readonly basePath: string;
}

export interface RequestMeta {
  readonly tIntended: number;
  readonly stage: string;
  readonly stageIndex: number;
  readonly warmup: boolean;
  readonly user?: number;
}

/**
 * A finished request as the worker hands it on: the record, whose `chunks` stays empty here, and its chunk
 * log packed (offset, tokens interleaved), which the coordinator unpacks into `chunks` (chunk-log.ts says why).
 */
export interface FinishedRequest {
  readonly record: RequestRecord;
  readonly chunkLog: Float64Array;
}

/**
 * What one request may hold of a body that is kept whole: an error body needs only its message, and a
 * non-streamed answer of 10 M tokens (the schema's max_tokens) is ~40 MB. A body past its bound ends the
 * request (the rest is not read), so a server that answers without end cannot grow the client's memory.
 * (A streamed body is parsed as it comes; its parser bounds one record: collectors/engines/record-too-long.ts.)
 */
export const MAX_ERROR_BODY_CHARS = 64 * 1024;
export const MAX_RESPONSE_BODY_CHARS = 64 * 1024 * 1024;

class RequestAbort extends Error {
  constructor(readonly kind: ErrorKind, message: string) {
    super(message);
  }
}

export async function executeRequest(
  context: RequestContext,
  request: GenerationRequest,
  meta: RequestMeta,
  runSignal: AbortSignal,
): Promise<FinishedRequest> {
  const { adapter, clock } = context;
  const record: RequestRecord = {
    request_id: request.requestId,
    run_id: context.runId,
    stage: meta.stage,
    stage_index: meta.stageIndex,
    warmup: meta.warmup,
    status: 'ok',
    engine: adapter.kind,
    model: request.model,
    stream: request.stream,
    worker: context.workerIndex,
    ...(meta.user !== undefined ? { user: meta.user } : {}),
    t_intended: meta.tIntended,
    chunks: [],
    metrics: {},
    sources: {},
    server: {},
  };

  const cancel = new RequestCancel();
  const stopListening = onAbort(runSignal, () => cancel.abort(new RequestAbort('cancelled', 'run stopped while the request was in flight')));

  const parser = request.stream ? adapter.createStreamParser(request) : undefined;
  const decoder = new TextDecoder();
  const bodyParts: string[] = [];
  const chunkLog = new ChunkLog();
  let report: ServerReport = { raw: {} };
  let clientTokens = 0;
  let allCounted = true;
  let emptyChunks = 0;
  let sawEnd = false;
  let streamError: { kind: ErrorKind; message: string } | undefined;
  let bodyChars = 0;
  let status = 0;
  let headers: Record<string, string> = {};

  const watched = {
    lastActivityMs: 0,
    sawFirstToken: false,
    sentMs: undefined as number | undefined,
    abort: (kind: ErrorKind, message: string) => cancel.abort(new RequestAbort(kind, message)),
  };
  const unwatch = context.watchdog.watch(watched);

  /** Feeds the stream parser; a parser that throws (a bug, never the data) fails this request, not the run. */
  const parse = (atMs: number, text: string, last = false) => {
    let events: StreamEvent[];
    try {
      events = last ? parser!.push(text).concat(parser!.finish()) : parser!.push(text);
    } catch (error) {
      events = [{ type: 'error', kind: 'protocol', message: `the ${adapter.kind} stream parser failed: ${(error as Error).message}` }];
    }
    handleEvents(atMs, events);
  };

  const handleEvents = (atMs: number, events: readonly StreamEvent[]) => {
    for (const event of events) {
      switch (event.type) {
        case 'content':
          if (!event.counted) allCounted = false;
          if (event.tokens <= 0) {
            emptyChunks++;
            break;
          }
          if (record.t_first_token === undefined) {
            record.t_first_token = atMs;
            watched.sawFirstToken = true;
          }
          record.t_last_token = atMs;
          clientTokens += event.tokens;
          chunkLog.push(round3(atMs - (record.t_send ?? atMs)), event.tokens);
          break;
        case 'report':
          report = mergeReports(report, event.report);
          break;
        case 'error':
          // The response has failed: stop reading it (what follows may not end, or may be unbounded).
          streamError ??= { kind: event.kind, message: event.message };
          watched.abort(event.kind, event.message);
          break;
        case 'end':
          sawEnd = true;
          break;
      }
    }
  };

  record.t_dispatch = clock.nowMs();
  const spec = withBodyBytes(withBasePath(adapter.buildRequest(request), context.basePath));
  // The prompt is in the body now; the request's other fields are all that is read from here on. Dropping it,
  // and holding the body as bytes (kept outside V8's heap), keeps a few KB of strings per in-flight request out
  // of every young-generation GC, whose pauses are when first tokens wait unread (bench/README.md).
  request = { ...request, prompt: '' };
  const attempt = () => exchange(
    context.dispatcher,
    context.origin,
    spec,
    {
      onSent(atMs) {
        record.t_send = atMs;
        watched.sentMs = atMs;
        watched.lastActivityMs = atMs;
      },
      onHeaders(atMs, statusCode, responseHeaders) {
        record.t_headers = atMs;
        status = statusCode;
        headers = responseHeaders;
      },
      onBody(atMs, chunk) {
        watched.lastActivityMs = atMs;
        const text = decoder.decode(chunk, { stream: true });
        if (parser && status < 400) {
          parse(atMs, text);
          return;
        }
        bodyChars += text.length;
        const limit = status >= 400 ? MAX_ERROR_BODY_CHARS : MAX_RESPONSE_BODY_CHARS;
        if (bodyChars <= limit) {
          bodyParts.push(text);
          return;
        }
        bodyParts.push(text.slice(0, Math.max(0, text.length - (bodyChars - limit))));
        if (status >= 400) {
          const failure = adapter.classifyError(status, bodyParts.join(''));
          watched.abort(failure.kind, `${failure.message} (the body was cut after ${limit} characters)`);
        } else {
          watched.abort('protocol', `the response body grew past ${limit} characters; the rest was not read`);
        }
      },
    },
    () => clock.nowMs(),
    cancel,
  );
  let outcome = await attempt();
  if (isStaleConnection(outcome, status, cancel)) {
    // The server closed a kept-alive connection as we reused it (llama-server does after every stream while
    // saying keep-alive): no byte of an answer came back, so the request was not served. Send it once more on a
    // fresh connection, as HTTP clients do, and say so in the record.
    record.transport_retries = 1;
    outcome = await attempt();
  }
  unwatch();
  stopListening();
  record.t_done = outcome.endMs;
  if (status) record.http_status = status;
  // Every stamp is taken; what follows is bookkeeping. When a thousand streams end in one poll (closed-loop
  // users finish together), doing it inline held the first tokens of the next wave unread for 140 ms; it takes
  // turns with the sends instead, so the sockets are read between every few records.
  const bookkeepingTurn = context.pacer?.turn();
  if (bookkeepingTurn) await bookkeepingTurn;

  const tail = decoder.decode();
  if (parser && status < 400 && status > 0 && !outcome.error) parse(outcome.endMs, tail, true);
  else if (tail) bodyParts.push(tail);

  if (outcome.error) {
    const reason = cancel.reason;
    const failure =
      reason instanceof RequestAbort ? { kind: reason.kind, message: reason.message } : errorKindOfTransport(outcome.error);
    return finishError(record, chunkLog, failure.kind, failure.message);
  }
  if (status >= 400) {
    const failure = adapter.classifyError(status, bodyParts.join(''));
    return finishError(record, chunkLog, failure.kind, failure.message);
  }

  let outputTokens: number | undefined;
  if (!request.stream) {
    const parsed = adapter.parseResponse(status, headers, bodyParts.join(''), request);
    if (parsed.error) return finishError(record, chunkLog, parsed.error.kind, parsed.error.message);
    report = parsed.report;
    outputTokens = report.outputTokens ?? parsed.outputTokens;
  } else {
    if (streamError) return finishError(record, chunkLog, streamError.kind, streamError.message, report);
    if (!sawEnd) {
      return finishError(record, chunkLog, 'protocol', 'the stream ended without the engine\'s end-of-stream marker', report);
    }
    outputTokens = report.outputTokens ?? clientTokens;
  }

  const tSend = record.t_send ?? record.t_dispatch;
  const promptTokens = report.promptTokens ?? request.promptTokens;
  const computed = computeRequestMetrics(
    {
      tIntended: record.t_intended,
      tSend,
      tDone: record.t_done,
      streamed: request.stream,
      chunks: chunkLog,
      ...(record.t_first_token !== undefined ? { tFirstToken: record.t_first_token } : {}),
      ...(record.t_last_token !== undefined ? { tLastToken: record.t_last_token } : {}),
    },
    report,
    outputTokens ?? 0,
    promptTokens,
    { networkRttMs: context.networkRttMs },
  );
  if (emptyChunks) record.empty_chunks = emptyChunks;
  record.prompt_tokens = promptTokens;
  if (report.cachedTokens !== undefined) record.cached_tokens = report.cachedTokens;
  record.output_tokens = outputTokens ?? 0;
  record.token_source = report.outputTokens !== undefined || (request.stream && allCounted && chunkLog.length > 0) ? 'server' : 'client';
  if (report.finishReason !== undefined) record.finish_reason = report.finishReason;
  record.metrics = computed.metrics;
  record.sources = computed.sources;
  record.server = report.raw;
  return handOn(record, chunkLog);
}

function handOn(record: RequestRecord, chunkLog: ChunkLog): FinishedRequest {
  return { record, chunkLog: chunkLog.packed() };
}

function finishError(record: RequestRecord, chunkLog: ChunkLog, kind: ErrorKind, message: string, report?: ServerReport): FinishedRequest {
  record.status = 'error';
  record.error_kind = kind;
  record.error_message = message.length > 500 ? `${message.slice(0, 500)}…` : message;
  if (report) record.server = report.raw;
  if (record.t_send !== undefined && record.t_done !== undefined) {
    record.metrics = {
      schedule_lag_ms: record.t_send - record.t_intended,
      total_duration_ms: record.t_done - record.t_send,
      e2e_from_schedule_ms: record.t_done - record.t_intended,
    };
    record.sources = { schedule_lag_ms: 'client', total_duration_ms: 'client', e2e_from_schedule_ms: 'client' };
  }
  return handOn(record, chunkLog);
}

/** Later reports add to and override earlier ones (a usage chunk, then a final timings event). */
function mergeReports(base: ServerReport, next: ServerReport): ServerReport {
  return { ...base, ...next, raw: { ...base.raw, ...next.raw } };
}

function isStaleConnection(outcome: { error?: Error & { code?: string } }, status: number, cancel: Cancellation): boolean {
  if (!outcome.error || status !== 0 || cancel.aborted) return false;
  const code = outcome.error.code ?? (outcome.error.cause as { code?: string } | undefined)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

function withBasePath(spec: HttpRequestSpec, basePath: string): HttpRequestSpec {
  return basePath ? { ...spec, path: basePath + spec.path } : spec;
}

function withBodyBytes(spec: HttpRequestSpec): ExchangeSpec {
  return spec.body === undefined ? spec : { ...spec, body: Buffer.from(spec.body) };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
