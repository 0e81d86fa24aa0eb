/**
 * Preflight building blocks shared by the adapters: GET a path and turn every way it can go wrong into the
 * EngineError a person can act on (DESIGN §12: what, where, how to fix):
 * - the request rejects (refused, DNS, timeout)          → ENGINE_UNREACHABLE
 * - 401/403, 5xx/503, model not served                   → ENGINE_REFUSED
 * - 404, HTML, JSON of another shape (not this engine)   → ENGINE_PROTOCOL, naming the engine it looks like
 */
import { ENGINE_KINDS, type EngineKind, type PreflightHttp } from '../../pipeline/core/engine.js';
import { EngineError } from '../../pipeline/core/errors.js';
import { errorBodyText } from './engine-error.js';
import { isObject, parseJson, stringField } from './fields.js';
import { get } from './request-spec.js';

export interface ProbeResponse {
  readonly path: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export class PreflightProbe {
  readonly #cache = new Map<string, Promise<ProbeResponse>>();

  constructor(
    private readonly http: PreflightHttp,
    readonly engine: EngineKind,
  ) {}

  /** The target, as the user wrote it, for messages. */
  get where(): string {
    return this.http.baseUrl ?? 'the --url target';
  }

  /** GET `path`; a rejected request (nothing answered) is ENGINE_UNREACHABLE. Cached per path. */
  get(path: string): Promise<ProbeResponse> {
    let pending = this.#cache.get(path);
    if (!pending) {
      pending = this.#fetch(path);
      this.#cache.set(path, pending);
    }
    return pending;
  }

  /** GET `path` and require a 2xx (health endpoints: the body may be empty). */
  async ok(path: string): Promise<ProbeResponse> {
    const response = await this.get(path);
    if (response.status < 200 || response.status >= 300) throw await this.#statusError(response);
    return response;
  }

  /** GET `path`, require a 2xx with a JSON object body, and return it. */
  async json(path: string): Promise<Record<string, unknown>> {
    const response = await this.ok(path);
    const parsed = parseJson(response.body);
    if (!parsed.ok || !isObject(parsed.value)) throw await this.notThisEngine(response, 'not a JSON object');
    return parsed.value;
  }

  /** Like json(), but undefined for anything except an unreachable server (optional extras such as /version). */
  async optionalJson(path: string): Promise<Record<string, unknown> | undefined> {
    const response = await this.get(path);
    if (response.status < 200 || response.status >= 300) return undefined;
    const parsed = parseJson(response.body);
    return parsed.ok && isObject(parsed.value) ? parsed.value : undefined;
  }

  /** The answer at `response.path` is not this engine's: say what came back and what the server looks like. */
  async notThisEngine(response: ProbeResponse, what: string): Promise<EngineError> {
    const looksLike = await guessEngine(this, this.engine);
    const base = this.where.replace(/\/+$/, '');
    const hint = looksLike
      ? `the server looks like ${looksLike}: use --engine ${looksLike}`
      : /\/v1$/.test(base)
        ? 'drop /v1 from --url: llmbench adds the API paths itself'
        : `check --engine (${ENGINE_KINDS.join(', ')}) and that --url is the server's base URL`;
    return new EngineError(
      'ENGINE_PROTOCOL',
      `${this.engine} preflight: GET ${response.path} at ${this.where} did not answer like ${this.engine} (HTTP ${response.status}, ${what}: ${errorBodyText(response.body)})`,
      { hint },
    );
  }

  /** The engine answered but will not serve `model`. */
  requireModel(model: string, served: readonly string[], matches: (name: string) => boolean, emptyHint?: string): void {
    if (served.some(matches)) return;
    const shown = served.length > 10 ? `${served.slice(0, 10).join(', ')} and ${served.length - 10} more` : served.join(', ');
    const message = served.length
      ? `model "${model}" is not served by ${this.engine} at ${this.where}; it serves: ${shown}`
      : `model "${model}" is not served by ${this.engine} at ${this.where}; it lists no models`;
    const hint = served.length === 1 ? `use --model ${served[0]}` : served.length ? `use --model with one of: ${shown}` : emptyHint;
    throw new EngineError('ENGINE_REFUSED', message, hint ? { hint } : {});
  }

  async #fetch(path: string): Promise<ProbeResponse> {
    try {
      const response = await this.http.request(get(path));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = value;
      return { path, status: response.status, headers, body: response.body };
    } catch (cause) {
      throw new EngineError('ENGINE_UNREACHABLE', `cannot reach ${this.engine} at ${this.where}: ${describeCause(cause)}`, {
        cause,
        hint: 'check --url and that the server is running',
      });
    }
  }

  async #statusError(response: ProbeResponse): Promise<EngineError> {
    const said = `GET ${response.path} answered HTTP ${response.status}: ${errorBodyText(response.body)}`;
    if (response.status === 401 || response.status === 403) {
      return new EngineError('ENGINE_REFUSED', `${this.engine} at ${this.where} refused the request: ${said}`, {
        hint: 'pass an API key with --api-key-env VAR (the environment variable that holds it)',
      });
    }
    if (response.status >= 500) {
      return new EngineError('ENGINE_REFUSED', `${this.engine} at ${this.where} is not ready: ${said}`, {
        hint: 'wait until the server has loaded the model, or check its logs',
      });
    }
    return this.notThisEngine(response, 'unexpected status');
  }
}

/**
 * Which engine answers at this URL, from each one's most distinctive endpoint (engine-apis.md §1f–§5).
 * Only asked after a mismatch, so the extra GETs cost nothing on the happy path.
 */
export async function guessEngine(probe: PreflightProbe, exclude?: EngineKind): Promise<EngineKind | undefined> {
  const checks: Array<[EngineKind, string, (json: Record<string, unknown>) => boolean]> = [
    ['ollama', '/api/version', (j) => typeof j.version === 'string'],
    ['tgi', '/info', (j) => typeof j.model_id === 'string'],
    ['llamacpp', '/props', (j) => isObject(j.default_generation_settings) || typeof j.total_slots === 'number'],
    ['sglang', '/get_model_info', (j) => typeof j.model_path === 'string'],
    ['vllm', '/v1/models', (j) => Array.isArray(j.data) && j.data.some((m) => stringField(m, 'owned_by') === 'vllm')],
    ['openai', '/v1/models', (j) => Array.isArray(j.data)],
  ];
  for (const [kind, path, looksRight] of checks) {
    if (kind === exclude) continue;
    const response = await probe.get(path).catch(() => undefined);
    // A server that stopped answering mid-guess has no engine to suggest; the original error stands.
    if (!response) return undefined;
    if (kind === 'llamacpp' && response.headers.server === 'llama.cpp') return kind;
    if (response.status !== 200) continue;
    const parsed = parseJson(response.body);
    if (parsed.ok && isObject(parsed.value) && looksRight(parsed.value)) return kind;
  }
  return undefined;
}

/** "connect ECONNREFUSED 127.0.0.1:9", following `cause` chains (fetch wraps the socket error). */
export function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    const code = isObject(current) ? stringField(current, 'code') : undefined;
    const text = code && !message.includes(code) ? `${message} (${code})` : message;
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}
