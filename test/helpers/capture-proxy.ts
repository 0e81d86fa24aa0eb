/**
 * A pass-through HTTP proxy that keeps every response body, keyed by the request's x-request-id: what the
 * engine really sent, to check a run's records against the raw wire (e.g. which chunk got the first-token
 * stamp). Bodies are streamed through as they arrive, so the client's timing still sees the engine's chunks.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CaptureProxy {
  readonly url: string;
  /** x-request-id → the raw response body (only completed responses). */
  readonly bodies: Map<string, string>;
  close(): Promise<void>;
}

export async function startCaptureProxy(targetUrl: string): Promise<CaptureProxy> {
  const target = new URL(targetUrl);
  const bodies = new Map<string, string>();
  const server = createServer((req, res) => {
    const upstream = httpRequest(
      // agent: false, a connection per request: a pooled one can race llama-server's closing of idle
      // keep-alive sockets ("socket hang up"), an error of the proxy, not of the client under test.
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, connection: 'close' }, agent: false },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          parts.push(chunk);
          res.write(chunk);
        });
        response.on('end', () => {
          const id = req.headers['x-request-id'];
          if (typeof id === 'string') bodies.set(id, Buffer.concat(parts).toString('utf8'));
          res.end();
        });
      },
    );
    upstream.on('error', (error) => res.destroy(error));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
