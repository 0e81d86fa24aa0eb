/**
 * The part of stream parsing every engine shares: framing (SSE or NDJSON), JSON decoding, `[DONE]`,
 * mid-stream error objects, malformed records, and a body that ends without the engine's end marker.
 * An engine supplies only a RecordDecoder that turns one JSON record into events.
 */
import type { StreamEvent, StreamParser } from '../../pipeline/core/engine.js';
import { engineErrorMessage, isErrorPayload } from './engine-error.js';
import { clip, parseJson } from './fields.js';
import { NdjsonParser } from './ndjson-parser.js';
import { SseParser } from './sse-parser.js';

export interface RecordDecoder {
  /** One JSON record that is not an error object → events (content, report, end). */
  decode(payload: unknown): StreamEvent[];
  /** `data: [DONE]` arrived: what to emit before `end` (e.g. a report kept from the last chunk). */
  done?(): StreamEvent[];
}

const END: StreamEvent = { type: 'end' };

/** Tracks end and error across records; shared by both framings. */
class RecordStream {
  #ended = false;
  #errored = false;

  constructor(
    private readonly decoder: RecordDecoder,
    /** What the engine ends its stream with, for the message when it does not ("data: [DONE]"). */
    private readonly terminator: string,
  ) {}

  /** One framed record; `named` is the SSE event name ("message" for plain data records). */
  record(data: string, named: string, out: StreamEvent[]): void {
    // Anything after the end marker is not part of this response (a proxy's trailer, a keep-alive).
    if (this.#ended) return;
    if (data === '[DONE]') {
      if (this.decoder.done) out.push(...this.decoder.done());
      this.#end(out);
      return;
    }
    const parsed = parseJson(data);
    if (!parsed.ok) {
      this.#error(out, named === 'error' ? `engine error mid-stream: ${clip(data)}` : `malformed JSON in stream: ${clip(data, 120)}`);
      return;
    }
    if (named === 'error' || isErrorPayload(parsed.value)) {
      this.#error(out, `engine error mid-stream: ${engineErrorMessage(parsed.value)}`);
      return;
    }
    for (const event of this.decoder.decode(parsed.value)) {
      if (event.type === 'end') this.#end(out);
      else out.push(event);
    }
  }

  /** The body ended: without the end marker (and no error already said why) the response is incomplete. */
  close(out: StreamEvent[]): void {
    if (!this.#ended && !this.#errored) this.#error(out, `the stream ended without ${this.terminator}`);
  }

  #end(out: StreamEvent[]): void {
    if (this.#ended) return;
    this.#ended = true;
    out.push(END);
  }

  #error(out: StreamEvent[], message: string): void {
    this.#errored = true;
    out.push({ type: 'error', kind: 'protocol', message });
  }
}

/** SSE framing: vLLM, OpenAI-compatible servers, TGI, llama.cpp, SGLang. */
export function sseStreamParser(decoder: RecordDecoder, terminator: string): StreamParser {
  const sse = new SseParser();
  const stream = new RecordStream(decoder, terminator);
  const eventsOf = (records: ReturnType<SseParser['push']>) => {
    const out: StreamEvent[] = [];
    for (const record of records) stream.record(record.data, record.event, out);
    return out;
  };
  return {
    push: (text) => eventsOf(sse.push(text)),
    finish() {
      const out = eventsOf(sse.finish());
      stream.close(out);
      return out;
    },
  };
}

/** NDJSON framing: Ollama's native API. */
export function ndjsonStreamParser(decoder: RecordDecoder, terminator: string): StreamParser {
  const ndjson = new NdjsonParser();
  const stream = new RecordStream(decoder, terminator);
  const eventsOf = (lines: string[]) => {
    const out: StreamEvent[] = [];
    for (const line of lines) stream.record(line, 'message', out);
    return out;
  };
  return {
    push: (text) => eventsOf(ndjson.push(text)),
    finish() {
      const out = eventsOf(ndjson.finish());
      stream.close(out);
      return out;
    },
  };
}
