/** A real HTTP server on 127.0.0.1:0 serving text the test can change between scrapes (Prometheus pages). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TextServer {
  readonly url: string;
  readonly port: number;
  /** path → [status, body]; change it any time. */
  readonly routes: Map<string, { status: number; body: string }>;
  requests: number;
  close(): Promise<void>;
}

export async function startTextServer(routes: Record<string, string> = {}, port = 0): Promise<TextServer> {
  const table = new Map(Object.entries(routes).map(([path, body]) => [path, { status: 200, body }]));
  const state = { requests: 0 };
  const server: Server = createServer((request, response) => {
    state.requests++;
    const route = table.get(new URL(request.url ?? '/', 'http://x').pathname);
    response.writeHead(route?.status ?? 404, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    response.end(route?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    routes: table,
    get requests() {
      return state.requests;
    },
    set requests(value: number) {
      state.requests = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = await startTextServer();
  await server.close();
  return server.port;
}

/** Polls until `predicate` holds; the bound only stops a broken test from hanging, it is not a timing check. */
export async function waitFor(predicate: () => boolean, what: string, boundMs = 20_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
