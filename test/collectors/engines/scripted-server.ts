/**
 * A real HTTP server on 127.0.0.1:0 that answers GETs from a route table, standing in for an engine's
 * health/model-list endpoints in preflight tests, plus the PreflightHttp the runner would hand an adapter.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import type { HttpRequestSpec, PreflightHttp } from '../../../pipeline/core/engine.js';

export interface Route {
  readonly status?: number;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface EngineScript {
  readonly routes: Record<string, Route>;
  /** Answer for paths not in `routes` (each engine has its own 404 body). */
  readonly notFound?: Route;
}

export interface ScriptedServer {
  readonly url: string;
  readonly hits: string[];
  close(): Promise<void>;
}

export async function startScriptedServer(script: EngineScript): Promise<ScriptedServer> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.push(`${req.method} ${path}`);
    const route = script.routes[path] ?? script.notFound ?? { status: 404, body: '' };
    const text = typeof route.body === 'string' ? route.body : route.body === undefined ? '' : JSON.stringify(route.body);
    res.writeHead(route.status ?? 200, {
      'content-type': typeof route.body === 'string' ? 'text/plain' : 'application/json',
      ...route.headers,
    });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** What the runner hands an adapter: GETs under the base URL's path, headers lower-cased, body as text. */
export function testPreflightHttp(baseUrl: string): PreflightHttp {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    baseUrl,
    async request(spec: HttpRequestSpec) {
      const response = await undiciRequest(new URL(prefix + spec.path, base.origin), {
        method: spec.method,
        headers: spec.headers,
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      const body = await response.body.text();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: response.statusCode, headers, body };
    },
  };
}
