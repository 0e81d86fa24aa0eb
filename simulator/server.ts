/**
 * The HTTP server: reads each request, stamps its arrival, routes it to the engine's dialect (or to the
 * simulator's own /__sim endpoints) and keeps one Exchange per generation request for the ground truth.
 * Tuned to hold thousands of concurrent streams: no request or socket timeouts, unlimited connections,
 * a deep accept backlog, Nagle off.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../pipeline/core/clock.js';
import type { Dialect, DialectModule, GenerationSpec, RequestContext, Route, SimCore } from './dialect.js';
import { JSON_CONTENT_TYPE } from './dialect.js';
import { EngineDriver } from './engine-driver.js';
import { Exchange } from './exchange.js';
import { FaultPlanner } from './faults.js';
import { FixedModel } from './fixed-model.js';
import { runGeneration } from './generation.js';
import { GroundTruthStore, newGroundTruthRecord } from './ground-truth.js';
import { LiveStats } from './live-stats.js';
import type { ResolvedOptions } from './options.js';
import { BatchModel } from './perf-model.js';
import { deriveSeed, mulberry32, randomHex } from './random.js';

/** Request bodies above this are refused (413): prompts are text, not uploads. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface SimServer {
  readonly server: Server;
  readonly core: SimCore;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function createCore(options: ResolvedOptions, module: DialectModule): SimCore {
  const nowMs = systemClock.nowMs;
  const model = options.fixed ? new FixedModel(options.fixed, nowMs()) : new BatchModel(options.perf, mulberry32(deriveSeed(options.seed, 'perf')));
  let sequence = 0;
  return {
    options,
    driver: new EngineDriver(model, nowMs),
    stats: new LiveStats(module.buckets(options)),
    faults: new FaultPlanner(options.faults, deriveSeed(options.seed, 'faults')),
    groundTruth: new GroundTruthStore(options.maxGroundTruth),
    startedMs: nowMs(),
    nowMs,
    nextSequence: () => ++sequence,
  };
}

export async function listen(options: ResolvedOptions, module: DialectModule): Promise<SimServer> {
  const core = createCore(options, module);
  const dialect = module.create(core);
  const routes = new Map<string, Route>();
  for (const route of dialect.routes) routes.set(`${route.method} ${route.path}`, route);

  const server = createServer({ noDelay: true, requestTimeout: 0, headersTimeout: 60_000, keepAlive: true }, (req, res) => {
    handleRequest(core, dialect, routes, req, res).catch((error: unknown) => {
      // A bug in a handler: answer 500 if we still can, and keep serving everyone else.
      console.error('simulator: request handler failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('simulator internal error');
    });
  });
  // Long-lived streams and benchmark clients with pooled connections: never time a socket out.
  // server.maxConnections stays unset, which node:http treats as unlimited.
  server.timeout = 0;
  server.keepAliveTimeout = 30_000;
  server.maxHeadersCount = 200;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    core,
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        core.driver.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handleRequest(core: SimCore, dialect: Dialect, routes: Map<string, Route>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headerId = req.headers['x-request-id'];
  const requestId = typeof headerId === 'string' && headerId.length > 0 && headerId.length <= 512 ? headerId : randomHex(32);
  // vLLM (and TGI, SGLang) echo the request id; every dialect here does, so logs and records line up.
  res.setHeader('x-request-id', requestId);
  const body = await readBody(req);
  const receivedMs = core.nowMs();
  if (body === undefined) {
    res.writeHead(413, { 'content-type': 'text/plain' });
    res.end('request body too large');
    return;
  }
  const target = req.url ?? '/';
  const path = requestPath(target);
  const method = req.method ?? 'GET';
  if (path.startsWith('/__sim/')) return simApi(core, method, path, target, res);

  const route = routes.get(`${method} ${path}`);
  const exchange = route?.generation
    ? new Exchange(res, newGroundTruthRecord(requestId, core.options.engine, path, receivedMs), core.nowMs, (record) => core.groundTruth.add(record))
    : undefined;
  const context = makeContext(core, req, res, target, path, method, requestId, receivedMs, body, exchange);
  if (!route) return dialect.notFound(context);
  await route.handle(context);
}

/** Resolves request targets against this base; the host never matters. */
const URL_BASE = 'http://sim.invalid';

/**
 * A path that WHATWG URL parsing leaves as it is: no escapes or characters it would encode, no dot segments,
 * not `//host`. Every path a client normally sends; the rest goes through URL.
 */
const PLAIN_PATH = /^\/(?!\/)(?:[\w\-:~]|\/|\.(?![./]|$))*$/;

/** The request target's path, as `new URL(target, base).pathname` would give it (a URL costs ~5 µs a request). */
export function requestPath(target: string): string {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  return PLAIN_PATH.test(path) && !path.includes('/.') ? path : new URL(target, URL_BASE).pathname;
}

function makeContext(
  core: SimCore,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  path: string,
  method: string,
  requestId: string,
  receivedMs: number,
  bodyText: string,
  exchange: Exchange | undefined,
): RequestContext {
  const send = (status: number, contentType: string, body: string, headers?: Readonly<Record<string, string>>) => {
    const all: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    if (headers) Object.assign(all, headers);
    if (exchange) return exchange.respond(status, all, body, 0);
    if (res.headersSent || res.destroyed) return;
    all['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(status, all);
    res.end(method === 'HEAD' ? undefined : body);
  };
  let parsed: { ok: true; value: unknown } | { ok: false; error: string } | undefined;
  let url: URL | undefined;
  return {
    core,
    req,
    res,
    // Parsed only for the few routes that read query parameters.
    get url() {
      url ??= new URL(target, URL_BASE);
      return url;
    },
    method,
    path,
    requestId,
    receivedMs,
    bodyText,
    json() {
      if (!parsed) {
        try {
          parsed = { ok: true, value: JSON.parse(bodyText) as unknown };
        } catch (error) {
          parsed = { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }
      return parsed;
    },
    send,
    sendJson: (status, value, headers) => send(status, JSON_CONTENT_TYPE, JSON.stringify(value), headers),
    note(facts) {
      if (!exchange) return;
      if (facts.model !== undefined) exchange.record.model = facts.model;
      if (facts.stream !== undefined) exchange.record.stream = facts.stream;
      if (facts.promptTokens !== undefined) exchange.record.prompt_tokens = facts.promptTokens;
    },
    generate(spec: GenerationSpec) {
      if (!exchange) throw new Error(`route ${method} ${path} generates but is not marked as a generation route`);
      return runGeneration(core, exchange, spec);
    },
  };
}

/**
 * The whole body as text, or undefined when it is larger than MAX_BODY_BYTES. Plain 'data'/'end' listeners:
 * an async iterator over the request costs several promises per request.
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      stop();
      // As the iterator did when it was left early: the request is dropped with its connection.
      req.destroy();
      resolve(undefined);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // Closed before 'end' (the client went away mid-body): the iterator failed with a premature close too.
    const onClose = () => onError(new Error('the request closed before its body was read'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * The simulator's own endpoints:
 *   GET /__sim/requests[?since=EPOCH_MS]  ground-truth records (completed after `since`), JSON array
 *   DELETE /__sim/requests                forget them (bounds memory in long runs)
 *   GET /__sim/state                      engine snapshot and the resolved options
 */
function simApi(core: SimCore, method: string, path: string, target: string, res: ServerResponse): void {
  const json = (status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  if (path === '/__sim/requests') {
    if (method === 'GET') {
      const sinceText = new URL(target, URL_BASE).searchParams.get('since');
      const sinceMs = sinceText === null ? undefined : Number(sinceText);
      if (sinceMs !== undefined && !Number.isFinite(sinceMs)) return json(400, { error: `since must be epoch milliseconds, got ${sinceText}` });
      return json(200, core.groundTruth.list(sinceMs));
    }
    if (method === 'DELETE') {
      const cleared = core.groundTruth.size;
      core.groundTruth.clear();
      return json(200, { cleared });
    }
  }
  if (path === '/__sim/state' && method === 'GET') {
    const { slotStates: _slots, ...engine } = core.driver.snapshot();
    return json(200, { engine: core.options.engine, model: core.options.model, fixed: core.options.fixed ?? null, in_flight: core.driver.inFlight, snapshot: engine, ground_truth_dropped: core.groundTruth.dropped });
  }
  json(404, { error: `unknown simulator endpoint ${method} ${path}` });
}
