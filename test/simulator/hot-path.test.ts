/**
 * The per-request and per-token shortcuts keep what goes on the wire: Exchange flushes each token write at
 * once (one writev, stamped after it) with the same bytes node's own res.write sends, and the cheap request
 * path equals the WHATWG URL pathname.
 */
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import test from 'ava';
import { Exchange } from '../../simulator/exchange.js';
import { newGroundTruthRecord, type GroundTruthRecord } from '../../simulator/ground-truth.js';
import { requestPath } from '../../simulator/server.js';

const TOKENS = ['data: {"text":" the"}\n\n', 'data: {"text":" é ☃"}\n\n', 'data: {"text":" sky"}\n\n'];
const LAST = 'data: {"text":" end"}\n\n';
const TAIL = 'data: [DONE]\n\n';
const HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'r' };

function record(): GroundTruthRecord {
  return { ...newGroundTruthRecord('r', 'vllm', '/v1/completions', 0), stream: true };
}

/** What one token write looked like from the socket, right after Exchange returned. */
interface WriteObservation {
  readonly buffered: number;
  readonly corked: number;
  readonly syscalls: number;
}

/** Counts the stream's calls down to the handle (each one is one write/writev syscall). */
function countHandleWrites(socket: Socket): () => number {
  const stream = socket as unknown as { _writev(chunks: unknown, cb: unknown): void; _write(chunk: unknown, encoding: unknown, cb: unknown): void };
  let calls = 0;
  const writev = stream._writev.bind(stream);
  const write = stream._write.bind(stream);
  stream._writev = (chunks, cb) => {
    calls++;
    writev(chunks, cb);
  };
  stream._write = (chunk, encoding, cb) => {
    calls++;
    write(chunk, encoding, cb);
  };
  return () => calls;
}

/** Serves one streamed response per connection with `respond`, and returns the raw bytes a client read. */
async function rawResponse(respond: (res: ServerResponse) => void): Promise<string> {
  const server = createServer({ noDelay: true }, (_req, res) => {
    res.sendDate = false;
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.write('POST /v1/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  } finally {
    server.close();
  }
}

test('token writes leave at once, one syscall each, stamped after; the bytes equal plain res.write', async (t) => {
  const observations: WriteObservation[] = [];
  let committed: GroundTruthRecord | undefined;
  const viaExchange = await rawResponse((res) => {
    const exchange = new Exchange(res, record(), () => performance.timeOrigin + performance.now(), (r) => (committed = r));
    exchange.head(200, HEADERS, true);
    const socket = res.socket!;
    const syscalls = countHandleWrites(socket);
    // One engine step: several token writes in the same tick.
    for (const text of TOKENS) {
      const before = syscalls();
      exchange.writeTokens(text, 1);
      observations.push({ buffered: socket.writableLength, corked: socket.writableCorked, syscalls: syscalls() - before });
    }
    const before = syscalls();
    exchange.endWithTokens(LAST, 1, TAIL);
    observations.push({ buffered: socket.writableLength, corked: socket.writableCorked, syscalls: syscalls() - before });
  });
  const plain = await rawResponse((res) => {
    res.writeHead(200, HEADERS);
    res.flushHeaders();
    for (const text of TOKENS) res.write(text);
    res.write(LAST);
    res.end(TAIL);
  });

  t.is(viaExchange, plain);
  t.true(viaExchange.includes(`${Buffer.byteLength(TOKENS[1]!).toString(16)}\r\n${TOKENS[1]}\r\n`));
  // Nothing left in node's buffers when the stamp is taken: each write went to the kernel as one writev.
  t.deepEqual(observations, [...TOKENS, LAST].map(() => ({ buffered: 0, corked: 0, syscalls: 1 })));
  t.truthy(committed);
  t.like(committed, { status: 200, output_tokens: 4, chunks: 4 });
  t.true(committed!.first_token_ms! <= committed!.last_token_ms!);
  t.is(committed!.last_token_ms, committed!.done_ms);
});

test('headers that leave with the first write (Go servers) still lead the body; later chunks are framed the same', async (t) => {
  const viaExchange = await rawResponse((res) => {
    const exchange = new Exchange(res, record(), () => performance.timeOrigin + performance.now(), () => undefined);
    // Ollama's framing: writeHead without a flush, so the status line must ride on the first body write.
    exchange.head(200, HEADERS, false);
    for (const text of TOKENS) exchange.writeTokens(text, 1);
    exchange.write('');
    exchange.endWithTokens(LAST, 1, TAIL);
  });
  const plain = await rawResponse((res) => {
    res.writeHead(200, HEADERS);
    for (const text of TOKENS) res.write(text);
    res.write(LAST);
    res.end(TAIL);
  });
  t.is(viaExchange, plain);
  t.true(viaExchange.startsWith('HTTP/1.1 200 OK\r\n'));
  t.true(viaExchange.includes(`\r\n\r\n${Buffer.byteLength(TOKENS[0]!).toString(16)}\r\n${TOKENS[0]}\r\n`));
});

test('request paths: the cheap split equals the URL pathname, whatever the target', (t) => {
  const base = 'http://sim.invalid';
  const pathname = (target: string) => {
    try {
      return new URL(target, base).pathname;
    } catch {
      return 'invalid';
    }
  };
  const cheap = (target: string) => {
    try {
      return requestPath(target);
    } catch {
      return 'invalid';
    }
  };
  const targets = ['/', '/v1/completions', '/v1/chat/completions?x=1&y=/..', '/__sim/requests?since=5', '/api/generate', '/slots?fail_on_no_slot=1'];
  targets.push('/a/../b', '/a/./b', '/..', '/a/..', '/a/...', '//evil/x', '/a//b', '/a%2e%2e/b', '/a b', '/x\\y', '/sim:latest', '/a.b/c.d', '/é', '/a#frag', '*', 'http://h/p?q');
  for (const target of targets) t.is(cheap(target), pathname(target), target);
  // Seeded fuzz over the characters URL parsing treats specially.
  const alphabet = 'ab/.-_:~%?#\\ é2eE';
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 20000; i++) {
    let target = '/';
    const length = Math.floor(next() * 10);
    for (let j = 0; j < length; j++) target += alphabet[Math.floor(next() * alphabet.length)];
    if (cheap(target) !== pathname(target)) t.fail(`${JSON.stringify(target)}: ${cheap(target)} != ${pathname(target)}`);
  }
  t.pass();
});
