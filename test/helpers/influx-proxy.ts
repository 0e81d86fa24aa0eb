/**
 * An HTTP proxy in front of an InfluxDB-compatible server that records every request (headers, gunzipped
 * body) and can answer 503 for a while instead of forwarding: an outage of a chosen length without touching
 * the server behind it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** The status the client got. */
  readonly status: number;
}

export interface InfluxProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** Answer 503 to writes (true) or forward them (false). */
  refuseWrites(refuse: boolean): void;
  close(): Promise<void>;
}

export async function startInfluxProxy(targetUrl: string): Promise<InfluxProxy> {
  const requests: ProxiedRequest[] = [];
  let refusing = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const record = (status: number) => requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, status });
      if (refusing && req.url?.startsWith('/api/v2/write')) {
        record(503);
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"unavailable","message":"proxy outage window"}');
        return;
      }
      try {
        const headers = { ...req.headers };
        // undici frames the body itself (the client sends gzip'd bodies chunked).
        for (const name of ['host', 'connection', 'transfer-encoding', 'content-length', 'keep-alive']) delete headers[name];
        const upstream = await request(`${targetUrl}${req.url}`, { method: (req.method ?? 'GET') as 'GET', headers, body: raw.length > 0 ? raw : null });
        const text = await upstream.body.arrayBuffer();
        record(upstream.statusCode);
        const passHeaders: Record<string, string> = {};
        const type = upstream.headers['content-type'];
        if (typeof type === 'string') passHeaders['content-type'] = type;
        res.writeHead(upstream.statusCode, passHeaders).end(Buffer.from(text));
      } catch (error) {
        record(502);
        res.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refuseWrites(refuse) {
      refusing = refuse;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
