import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPcap, type TcpSegment } from '../../../bench/wire/pcap.js';
import { httpExchanges } from '../../../bench/wire/http-exchanges.js';
import { wireTruth } from '../../../bench/wire/wire-truth.js';
import { compareWithWire } from '../../../bench/wire/compare.js';
import { adapterFor } from '../../../collectors/engines/index.js';
import type { RequestRecord } from '../../../pipeline/core/record.js';

// A real capture (test/fixtures/wire/README.md): 6 streamed vLLM-dialect requests of 8 tokens, plus the run's
// preflight and warmup, on port 35439.
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/wire/${name}`, import.meta.url));
const PORT = 35439;
const segments = readPcap(readFileSync(fixture('sim-vllm-6-streams.pcap')));
const records: RequestRecord[] = readFileSync(fixture('sim-vllm-6-streams.requests.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as RequestRecord);
const vllm = adapterFor('vllm');

test('every generation request of the run is found on the wire, with the tokens the client counted', (t) => {
  const truths = wireTruth(httpExchanges(segments, PORT), vllm);
  const byId = new Map(truths.map((truth) => [truth.requestId, truth]));
  t.is(records.length, 11);
  for (const record of records) {
    const truth = byId.get(record.request_id);
    if (!truth) return t.fail(`${record.request_id} is not on the wire`);
    t.is(record.output_tokens, truth.outputTokens);
    t.true(truth.ended, 'the [DONE] marker crossed the wire');
    t.true(truth.sentMs < truth.firstTokenMs! && truth.firstTokenMs! <= truth.lastTokenMs!);
  }
});

test('the preflight requests (no x-request-id) are exchanges but not generation truths', (t) => {
  const exchanges = httpExchanges(segments, PORT);
  const untagged = exchanges.filter((exchange) => exchange.requestId === undefined);
  t.true(untagged.some((exchange) => exchange.method === 'GET' && exchange.path === '/v1/models'));
  t.true(exchanges.every((exchange) => exchange.complete), 'every response ended by its framing');
  t.is(wireTruth(exchanges, vllm).length, records.length);
});

test('the comparison matches every ok, non-warmup record and splits the TTFT error into its two stamps', (t) => {
  const truths = wireTruth(httpExchanges(segments, PORT), vllm);
  const comparison = compareWithWire(records, truths);
  t.is(comparison.matched, records.filter((record) => !record.warmup && record.status === 'ok').length);
  t.is(comparison.unmatched, 0);
  t.is(comparison.tokenMismatches, 0);
  t.is(comparison.simulatorError, undefined, 'no simulator truth was given');
  // ttft error = first-token error − send error, request by request, so the means agree exactly.
  const { ttft, send, firstToken } = comparison.clientError;
  t.true(Math.abs(ttft.mean - (firstToken.mean - send.mean)) < 1e-9);
});

test('a run the capture never saw is refused with the likely cause', (t) => {
  const error = t.throws(() => compareWithWire(records, []));
  t.regex(error!.message, /capture on the port/);
});

/** The fixture's segments re-cut into `size`-byte pieces per direction, so every boundary lands somewhere new. */
function recut(all: readonly TcpSegment[], size: number, duplicateEvery = 0): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (const segment of all) {
    for (let at = 0; at < segment.payload.length; at += size) {
      const piece: TcpSegment = { ...segment, seq: (segment.seq + at) >>> 0, payload: segment.payload.subarray(at, at + size) };
      out.push(piece);
      if (duplicateEvery > 0 && out.length % duplicateEvery === 0) out.push(piece); // a retransmission
    }
  }
  return out;
}

test('headers, chunk-size lines and SSE events split across segments, and retransmitted segments, read the same', (t) => {
  const whole = wireTruth(httpExchanges(segments, PORT), vllm);
  for (const [size, duplicateEvery] of [[1, 0], [7, 0], [13, 5]] as const) {
    const cut = wireTruth(httpExchanges(recut(segments, size, duplicateEvery), PORT), vllm);
    t.deepEqual(
      cut.map(({ requestId, outputTokens, ended }) => ({ requestId, outputTokens, ended })),
      whole.map(({ requestId, outputTokens, ended }) => ({ requestId, outputTokens, ended })),
      `${size}-byte segments${duplicateEvery ? ', with retransmissions' : ''}`,
    );
  }
});
