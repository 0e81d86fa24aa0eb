/**
 * A scripted InfluxDB 2 HTTP API on 127.0.0.1:0 (real sockets): /health, /ping, /api/v2/write and
 * /api/v2/query, each answered by a script, every request captured with its headers and its body
 * (gunzipped when the client compressed it). Lines of writes answered 204 are kept in arrival order.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface Script {
  /** `n` counts write requests from 0, the preflight's empty probe included. Default: 204. */
  write?(request: CapturedRequest, n: number): ScriptedAnswer;
  health?(request: CapturedRequest): ScriptedAnswer;
  query?(request: CapturedRequest): ScriptedAnswer;
}

export interface ScriptedInflux {
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** Lines of accepted (204) writes, in order. */
  readonly lines: string[];
  close(): Promise<void>;
}

export async function startScriptedInflux(script: Script = {}): Promise<ScriptedInflux> {
  const requests: CapturedRequest[] = [];
  const lines: string[] = [];
  let writes = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const captured: CapturedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(captured);
      let answer: ScriptedAnswer;
      if (url.pathname === '/health') answer = script.health?.(captured) ?? { status: 200, body: '{"status":"pass"}', headers: { 'content-type': 'application/json' } };
      else if (url.pathname === '/ping') answer = { status: 204 };
      else if (url.pathname === '/api/v2/write') {
        answer = script.write?.(captured, writes++) ?? { status: 204 };
        if (answer.status === 204) for (const line of body.split('\n')) if (line) lines.push(line);
      } else if (url.pathname === '/api/v2/query') answer = script.query?.(captured) ?? { status: 404, body: 'no query script' };
      else answer = { status: 404, body: '{"code":"not found","message":"path not found"}', headers: { 'content-type': 'application/json' } };
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    lines,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** InfluxDB 2's JSON error body. */
export function influxError(status: number, code: string, message: string): ScriptedAnswer {
  return { status, body: JSON.stringify({ code, message }), headers: { 'content-type': 'application/json; charset=utf-8' } };
}
