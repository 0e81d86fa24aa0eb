/**
 * A vLLM-dialect server on 127.0.0.1:0 that does one scripted fault to each generation request and keeps its
 * own log of what it did to which request (by the `x-request-id` every request carries), so a test can check
 * the client's records against the server's account rather than against the client's own.
 *
 * The fault of a request is chosen from its id (the same id sent again, as the client does once after a
 * connection closed unanswered, gets the same fault), cycling through `faults` in the order ids first arrive.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ErrorKind } from '../../../pipeline/core/record.js';

export type Fault =
  | 'none'
  | 'reset_mid_stream'
  | 'http_500'
  | 'http_429'
  | 'stall_past_idle'
  | 'unparseable_event'
  | 'engine_error_event'
  | 'slow_headers'
  | 'headers_past_first_token_timeout'
  | 'accept_never_answer'
  | 'close_before_headers'
  | 'unbounded_line';

/** What the client must record for each fault, given the scenario's timeouts (TIMEOUTS below). */
export const EXPECTED: Readonly<Record<Fault, { status: 'ok' | 'error'; kind?: ErrorKind }>> = {
  none: { status: 'ok' },
  reset_mid_stream: { status: 'error', kind: 'connection_reset' },
  http_500: { status: 'error', kind: 'http_5xx' },
  http_429: { status: 'error', kind: 'overloaded' },
  stall_past_idle: { status: 'error', kind: 'timeout_idle' },
  unparseable_event: { status: 'error', kind: 'protocol' },
  engine_error_event: { status: 'error', kind: 'protocol' },
  slow_headers: { status: 'ok' },
  headers_past_first_token_timeout: { status: 'error', kind: 'timeout_first_token' },
  accept_never_answer: { status: 'error', kind: 'timeout_first_token' },
  close_before_headers: { status: 'error', kind: 'connection_reset' },
  unbounded_line: { status: 'error', kind: 'protocol' },
};

export const ALL_FAULTS = Object.keys(EXPECTED) as Fault[];

/** The scenario timeouts the faults are sized against. */
export const TIMEOUTS = { firstTokenMs: 1500, idleMs: 600 };
const TOKEN_GAP_MS = 10;
const TOKENS = 4;
/** Bytes of the one line without a line end that `unbounded_line` sends (unless the client stops reading). */
export const UNBOUNDED_LINE_BYTES = 50 * 1024 * 1024;

export interface FaultLogEntry {
  readonly requestId: string;
  readonly fault: Fault;
  /** How many times this id arrived (2 when the client sent it again on a fresh connection). */
  attempts: number;
  /** Bytes of body written for it (all attempts). */
  bytesWritten: number;
}

export interface FaultServer {
  readonly url: string;
  /** Generation requests by id, in the order they first arrived. */
  readonly log: Map<string, FaultLogEntry>;
  close(): Promise<void>;
}

export async function startFaultServer(faults: readonly Fault[] = ALL_FAULTS): Promise<FaultServer> {
  const log = new Map<string, FaultLogEntry>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      void answer(request, response, Buffer.concat(parts).toString('utf8')).catch(() => response.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function answer(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    if (request.method === 'GET') return answerGet(request.url ?? '/', response);
    // Only generations get faults; anything else (the client's /tokenize in preflight) is FastAPI's 404.
    if (!/^\/v1\/(chat\/)?completions$/.test(request.url ?? '')) return answerGet(request.url ?? '/', response);
    const requestId = String(request.headers['x-request-id'] ?? '');
    let entry = log.get(requestId);
    if (!entry) {
      entry = { requestId, fault: faults[log.size % faults.length]!, attempts: 0, bytesWritten: 0 };
      log.set(requestId, entry);
    }
    entry.attempts++;
    const model = (JSON.parse(body) as { model?: string }).model ?? 'sim';
    const write = (text: string) => {
      entry!.bytesWritten += Buffer.byteLength(text);
      return response.write(text);
    };
    const chunk = (text: string, tokens: number) => `data: ${JSON.stringify({ id: requestId, object: 'text_completion', model, choices: [{ index: 0, text, finish_reason: null }], usage: { prompt_tokens: 4, completion_tokens: tokens, total_tokens: 4 + tokens } })}\n\n`;
    const sseHead = () => response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId });
    const streamTokens = async (from: number, to: number) => {
      for (let i = from; i < to && !response.destroyed; i++) {
        write(chunk(`t${i}`, i + 1));
        await wait(TOKEN_GAP_MS);
      }
    };
    const finish = () => {
      write(`data: ${JSON.stringify({ id: requestId, object: 'text_completion', model, choices: [{ index: 0, text: '', finish_reason: 'length' }], usage: { prompt_tokens: 4, completion_tokens: TOKENS, total_tokens: 4 + TOKENS } })}\n\n`);
      write('data: [DONE]\n\n');
      response.end();
    };

    switch (entry.fault) {
      case 'none':
        sseHead();
        await streamTokens(0, TOKENS);
        return finish();
      case 'reset_mid_stream':
        sseHead();
        await streamTokens(0, 2);
        response.socket?.destroy();
        return;
      case 'http_500':
      case 'http_429': {
        const status = entry.fault === 'http_500' ? 500 : 429;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'error', message: `scripted ${status}`, type: 'ScriptedError', code: status }));
        return;
      }
      case 'stall_past_idle':
        sseHead();
        await streamTokens(0, 1);
        await wait(TIMEOUTS.idleMs * 5);
        if (response.destroyed) return;
        await streamTokens(1, TOKENS);
        return finish();
      case 'unparseable_event':
        sseHead();
        await streamTokens(0, 1);
        write('data: {"choices": [{"text": "unterminated\n\n');
        await streamTokens(1, TOKENS);
        return finish();
      case 'engine_error_event':
        sseHead();
        await streamTokens(0, 1);
        write(`data: ${JSON.stringify({ object: 'error', message: 'scripted engine failure', type: 'InternalServerError', code: 500 })}\n\n`);
        write('data: [DONE]\n\n');
        response.end();
        return;
      case 'slow_headers':
        await wait(TIMEOUTS.firstTokenMs / 5);
        sseHead();
        await streamTokens(0, TOKENS);
        return finish();
      case 'headers_past_first_token_timeout':
        await wait(TIMEOUTS.firstTokenMs * 2);
        if (response.destroyed || request.socket.destroyed) return;
        sseHead();
        await streamTokens(0, TOKENS);
        return finish();
      case 'accept_never_answer':
        // Nothing, ever: the client must give up on its own (its first-token timeout).
        return;
      case 'close_before_headers':
        request.socket.destroy();
        return;
      case 'unbounded_line': {
        sseHead();
        await streamTokens(0, 1);
        write('data: ');
        const piece = 'x'.repeat(64 * 1024);
        for (let sent = 0; sent < UNBOUNDED_LINE_BYTES && !response.destroyed; sent += piece.length) {
          if (!write(piece)) await drained(response);
        }
        if (!response.destroyed) response.end();
        return;
      }
    }
  }

  function answerGet(url: string, response: ServerResponse): void {
    if (url === '/health') {
      response.writeHead(200);
      response.end();
    } else if (url === '/v1/models') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'sim', object: 'model', owned_by: 'vllm', max_model_len: 4096 }] }));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ detail: 'Not Found' }));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once `response` drains or closes, leaving no listener behind. */
export function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
