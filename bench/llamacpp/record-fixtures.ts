/**
 * Records a real llama.cpp server's answers into test/fixtures/llamacpp/: the requests of
 * fidelity-exchanges.ts (generation streams and bodies from llmbench's adapters, /health, /v1/models, /props,
 * /slots idle and busy, errors, /metrics), each body in its own file and a manifest.json saying which request
 * produced it. The simulator's fidelity test replays the same requests and compares the shapes.
 *
 *   npx tsx bench/llamacpp/record-fixtures.ts [--out DIR]
 *
 * Starts its own server (shared/tools/llama-server.sh --size tiny, 4 slots, fetched on first use) so every
 * recording begins from a fresh server: /slots shows unused slots and /metrics only these requests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fidelityExchanges, fixtureFileName, sendExchange, type FixtureManifest, type RecordedExchange } from './fidelity-exchanges.js';
import { startLlamaServer } from './llama-server.js';

const SLOTS = 4;

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? process.argv[outIndex + 1]! : fileURLToPath(new URL('../../test/fixtures/llamacpp/', import.meta.url));
  const server = await startLlamaServer({ size: 'tiny', parallel: SLOTS, allowDownload: true });
  try {
    await mkdir(outDir, { recursive: true });
    const recorded: RecordedExchange[] = [];
    for (const exchange of fidelityExchanges(server.model)) {
      const answer = await sendExchange(server.url, exchange);
      const file = fixtureFileName(exchange.name, answer.contentType);
      await writeFile(join(outDir, file), answer.body);
      recorded.push({ ...exchange, status: answer.status, content_type: answer.contentType, file });
      console.log(`${exchange.method} ${exchange.path} → ${answer.status} ${answer.contentType}  ${file}`);
      warnIfUnusual(exchange.name, answer.body);
    }
    const props = JSON.parse((await sendExchange(server.url, { name: 'props', method: 'GET', path: '/props' })).body) as {
      build_info: string;
      default_generation_settings: { n_ctx: number };
    };
    const manifest: FixtureManifest = {
      recorded_with: 'npx tsx bench/llamacpp/record-fixtures.ts (shared/tools/llama-server.sh --size tiny --parallel 4)',
      recorded_at: new Date().toISOString(),
      server: { build_info: props.build_info, model: server.model, slots: SLOTS, n_ctx: props.default_generation_settings.n_ctx },
      exchanges: recorded,
    };
    await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${recorded.length} exchanges from llama-server ${props.build_info} in ${outDir}`);
  } finally {
    await server.stop();
  }
}

/**
 * The server streams no role chunk when the first token ends inside a UTF-8 sequence, and no text at all
 * when every token does: real, but not the shape to compare the simulator with. Say so (a new build or
 * model generator can change the noise); change PROMPT_TEXT / PROMPT_CHAT in fidelity-exchanges.ts.
 */
function warnIfUnusual(name: string, body: string): void {
  if (name.startsWith('v1-chat-stream') && !body.startsWith('data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}]')) {
    console.warn(`  warning: ${name} does not open with the role chunk (first token inside a UTF-8 sequence); try another prompt`);
  }
  const textChunks = body.split('\n\n').filter((event) => /"(text|content)":"[^"]/.test(event)).length;
  if (/stream/.test(name) && textChunks < 2) console.warn(`  warning: ${name} streamed ${textChunks} chunk(s) with text; try another prompt`);
}

await main();
