// A stand-in engine for the overhead bench, in its own process so its CPU is not the client's: OpenAI-style
// SSE chat chunks (one token each, every TOKEN_GAP_MS) at /v1/chat/completions, and a vLLM-format /metrics.
// Prints "listening on http://127.0.0.1:PORT".
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const TOKENS = Number(process.env.TOKENS ?? 32);
const TOKEN_GAP_MS = Number(process.env.TOKEN_GAP_MS ?? 2);
const metrics = readFileSync(new URL('../../test/collectors/resources/fixtures/vllm-metrics.txt', import.meta.url), 'utf8');

const server = createServer((request, response) => {
  if (request.url === '/metrics') {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    return response.end(metrics);
  }
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let sent = 0;
    const timer = setInterval(() => {
      if (sent === TOKENS) {
        clearInterval(timer);
        response.end('data: [DONE]\n\n');
        return;
      }
      const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: ` tok${sent}` }, finish_reason: null }] };
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      sent++;
    }, TOKEN_GAP_MS);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
