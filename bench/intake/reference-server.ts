/**
 * A reference server for bench/intake: the least a node:http server can do to stream vLLM-style completions
 * with fixed timing, and nothing else (no dialects, faults, metrics or engine model). Token k of a request
 * read at R is written at R + ttft + (k − 1) × itl on its own timer. It stamps the same ground truth as the
 * simulator (received after the body was read; first token right after its write) at GET /__sim/requests,
 * and gets the same scheduling as `llmbench sim` (nice −12, SCHED_BATCH), so the two differ only in the work
 * they do per request.
 *
 * Usage: npx tsx bench/intake/reference-server.ts --ttft-ms 50 --itl-ms 50; prints "listening on URL" first.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { tuneServerProcess } from '../../pipeline/tuning/process-tuning.js';
import type { TruthRecord } from '../common/ground-truth.js';


const { values } = parseArgs({ options: { 'ttft-ms': { type: 'string', default: '50' }, 'itl-ms': { type: 'string', default: '50' } } });
const ttftMs = Number(values['ttft-ms']);
const itlMs = Number(values['itl-ms']);
const nowMs = () => performance.timeOrigin + performance.now();
const truths: TruthRecord[] = [];
let sequence = 0;

const server = createServer({ noDelay: true, keepAlive: true, requestTimeout: 0 }, (req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    const receivedMs = nowMs();
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET') return json(200, req.url === '/__sim/requests' ? truths : { object: 'list', data: [{ id: 'sim', object: 'model' }] });
    if (req.url !== '/v1/completions') return json(404, { error: `the reference server streams /v1/completions only, not ${req.url}` });
    let body: { max_tokens?: number };
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { max_tokens?: number };
    } catch (error) {
      return json(400, { error: `the body is not JSON: ${(error as Error).message}` });
    }
    const tokens = Math.max(1, body.max_tokens ?? 16);
    const headerId = req.headers['x-request-id'];
    const requestId = typeof headerId === 'string' ? headerId : `ref-${++sequence}`;
    const truth: TruthRecord = { request_id: requestId, received_ms: receivedMs, first_token_ms: null, last_token_ms: null, output_tokens: 0 };
    const chunk = (text: string, finish: string | null) =>
      `data: {"id":"cmpl-${requestId}","object":"text_completion","created":1,"model":"sim","choices":[{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : 'null'},"stop_reason":null}]}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': requestId });
    res.flushHeaders();
    let written = 0;
    const next = () => {
      written++;
      const last = written === tokens;
      res.write(chunk(` t${written}`, last ? 'length' : null));
      truth.first_token_ms ??= nowMs();
      truth.last_token_ms = nowMs();
      truth.output_tokens = written;
      if (!last) {
        setTimeout(next, receivedMs + ttftMs + written * itlMs - nowMs());
        return;
      }
      res.end(`data: {"id":"cmpl-${requestId}","object":"text_completion","created":1,"model":"sim","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":${tokens},"total_tokens":${tokens + 1}}}\n\ndata: [DONE]\n\n`);
      truths.push(truth);
    };
    setTimeout(next, ttftMs);
  });
});
server.keepAliveTimeout = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  void tuneServerProcess().then(() => {
    process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
});
process.on('SIGTERM', () => process.exit(0));
