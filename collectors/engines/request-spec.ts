/**
 * The HTTP request every adapter sends: a JSON POST with `x-request-id` (vLLM, TGI and SGLang log it, and the
 * simulator keys its ground truth by it) and a bearer token when the target needs one.
 */
import type { ApiKind, GenerationRequest, HttpRequestSpec } from '../../pipeline/core/engine.js';

export function postJson(path: string, body: Record<string, unknown>, request: GenerationRequest): HttpRequestSpec {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': request.requestId,
  };
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
  return { method: 'POST', path, headers, body: JSON.stringify(body) };
}

/** A GET for preflight probes. */
export function get(path: string): HttpRequestSpec {
  return { method: 'GET', path, headers: { accept: 'application/json' } };
}

/**
 * The API a request really uses: an engine without a native API of its own (vLLM, generic OpenAI) treats
 * `native` as its default, so a scenario written for one engine still runs against another.
 */
export function resolveApi(api: ApiKind, supported: readonly ApiKind[], fallback: ApiKind): ApiKind {
  return supported.includes(api) ? api : fallback;
}

/** Keys whose value is undefined are left out of the JSON body (e.g. no `seed` when none was given). */
export function definedOnly(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (value !== undefined) out[key] = value;
  return out;
}
