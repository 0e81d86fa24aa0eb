/**
 * Error bodies, as each engine writes them (engine-apis.md §1e, §2e, §3e, §4e, §5), to an error kind and a
 * one-line message. The kind comes from the HTTP status line only: vLLM's body `code` changed meaning
 * between versions (an int status, then an OpenAI string code), so the body never decides the kind.
 */
import type { NonStreamResult } from '../../pipeline/core/engine.js';
import type { ErrorKind } from '../../pipeline/core/record.js';
import { clip, isObject, numberField, parseJson, stringField } from './fields.js';

export function errorKindOfStatus(status: number): ErrorKind {
  if (status === 429 || status === 503) return 'overloaded';
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return 'protocol'; // a non-error status handed to the error path: the exchange itself is malformed
}

/**
 * The message inside an engine's error object, with its type/code when it has one:
 * - `{"error":"msg","error_type":"validation"}` (Ollama; TGI native)
 * - `{"error":{"message":"msg","type":"...","code":400}}` (vLLM ≥ 0.10, llama.cpp, OpenAI, Ollama /v1)
 * - `{"error":{"message":"msg","http_status_code":422}}` (TGI Messages API, mid-stream)
 * - `{"object":"error","message":"msg","type":"BadRequestError","code":400}` (vLLM ≤ 0.9, SGLang)
 * - `{"detail":"Not Found"}` or `{"detail":[{"loc":[...],"msg":"..."}]}` (FastAPI defaults: vLLM, SGLang)
 */
export function engineErrorMessage(payload: unknown): string {
  if (typeof payload === 'string') return clip(payload);
  if (!isObject(payload)) return clip(JSON.stringify(payload) ?? String(payload));
  const error = payload.error;
  if (typeof error === 'string') return withType(error, stringField(payload, 'error_type'));
  if (isObject(error)) {
    const message = stringField(error, 'message') ?? clip(JSON.stringify(error));
    const type = stringField(error, 'type') ?? stringField(error, 'code') ?? numberField(error, 'http_status_code')?.toString();
    return withType(message, type);
  }
  const message = stringField(payload, 'message');
  if (message !== undefined) return withType(message, stringField(payload, 'type'));
  const detail = payload.detail;
  if (typeof detail === 'string') return clip(detail);
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{loc: ["body", "max_tokens"], msg: "..."}]
    return clip(
      detail
        .map((item) => {
          const loc = isObject(item) && Array.isArray(item.loc) ? item.loc.join('.') : '';
          const msg = stringField(item, 'msg') ?? JSON.stringify(item);
          return loc ? `${loc}: ${msg}` : msg;
        })
        .join('; '),
    );
  }
  return clip(JSON.stringify(payload));
}

/**
 * True when a parsed stream record is an engine's error object: under `error` (most engines), or the flat
 * `{"object":"error","message":…}` of vLLM ≤ 0.9 and SGLang, which a mid-stream error event carries too (read
 * as a chunk without choices, it let a failed stream end as an ok request).
 */
export function isErrorPayload(payload: unknown): boolean {
  return isObject(payload) && ((payload.error !== undefined && payload.error !== null) || payload.object === 'error');
}

/** An HTTP error response (status ≥ 400) to a kind and "HTTP 404: model 'x' not found". */
export function classifyHttpError(status: number, body: string): { kind: ErrorKind; message: string } {
  return { kind: errorKindOfStatus(status), message: `HTTP ${status}: ${errorBodyText(body)}` };
}

/** The readable part of an error body: the engine's message for JSON, tag-stripped text for HTML. */
export function errorBodyText(body: string): string {
  const trimmed = body.trim();
  if (trimmed.length === 0) return '(empty body)';
  const parsed = parseJson(trimmed);
  if (parsed.ok && (isObject(parsed.value) || typeof parsed.value === 'string')) return engineErrorMessage(parsed.value);
  // Proxies and load balancers answer with HTML pages; their <title> or text is what a person needs.
  const text = /<[a-z!]/i.test(trimmed) ? trimmed.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ') : trimmed;
  return clip(text, 200);
}

function withType(message: string, type: string | undefined): string {
  const text = clip(message);
  return type && !text.includes(type) ? `${text} (${type})` : text;
}


/**
 * A non-streaming 2xx body as the JSON object it must be; otherwise the protocol failure to return.
 * A one-element array (TGI's and SGLang's batch-shaped answers) stands for its element.
 */
export function responseObject(body: string): { ok: true; value: Record<string, unknown> } | { ok: false; failure: NonStreamResult } {
  const parsed = parseJson(body);
  const value: unknown = parsed.ok && Array.isArray(parsed.value) ? parsed.value[0] : parsed.ok ? parsed.value : undefined;
  if (!isObject(value)) return { ok: false, failure: { report: { raw: {} }, error: { kind: 'protocol', message: `response is not a JSON object: ${clip(body, 120)}` } } };
  if (isErrorPayload(value)) return { ok: false, failure: { report: { raw: {} }, error: { kind: 'protocol', message: `engine error: ${engineErrorMessage(value)}` } } };
  return { ok: true, value };
}
