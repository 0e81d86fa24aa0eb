/**
 * The part of stream parsing every engine shares: framing (SSE or NDJSON), JSON decoding, `[DONE]`,
 * mid-stream error objects, malformed records, and a body that ends without the engine's end marker.
 * An engine supplies only a RecordDecoder that turns one JSON record into events. A record that outgrows its
 * bound (record-too-long.ts) is a protocol error, and nothing after it is parsed.
 */
import type { StreamEvent, StreamParser } from '../../pipeline/core/engine.js';
import { engineErrorMessage, isErrorPayload } from './engine-error.js';
import { clip, parseJson } from './fields.js';
import { NdjsonParser } from './ndjson-parser.js';
import { RecordTooLong } from './record-too-long.js';
import { SseParser, type SseRecord } from './sse-parser.js';

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
  /** A record outgrew its bound (record-too-long.ts). */
  #cut = false;

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

  /** True once a record was too long: the framing is lost, so the rest of the body is not read. */
  get cut(): boolean {
    return this.#cut;
  }

  /** A framer threw: a record that outgrew its bound is a protocol error; anything else is a bug, rethrown. */
  cutShort(error: unknown, out: StreamEvent[]): void {
    if (!(error instanceof RecordTooLong)) throw error;
    this.#cut = true;
    if (!this.#ended) this.#error(out, error.message);
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
  const stream = new RecordStream(decoder, terminator);
  return framed(new SseParser(), stream, (record: SseRecord, out) => stream.record(record.data, record.event, out));
}

/** NDJSON framing: Ollama's native API. */
export function ndjsonStreamParser(decoder: RecordDecoder, terminator: string): StreamParser {
  const stream = new RecordStream(decoder, terminator);
  return framed(new NdjsonParser(), stream, (line: string, out) => stream.record(line, 'message', out));
}

/** A framer's records through `stream`; a record the framer refuses as too long cuts the stream short. */
function framed<R>(framer: { push(text: string): R[]; finish(): R[] }, stream: RecordStream, each: (record: R, out: StreamEvent[]) => void): StreamParser {
  const eventsOf = (text: string | undefined) => {
    const out: StreamEvent[] = [];
    if (stream.cut) return out;
    let records: R[];
    try {
      records = text === undefined ? framer.finish() : framer.push(text);
    } catch (error) {
      stream.cutShort(error, out);
      return out;
    }
    for (const record of records) each(record, out);
    return out;
  };
  return {
    push: (text) => eventsOf(text),
    finish() {
      const out = eventsOf(undefined);
      stream.close(out);
      return out;
    },
  };
}
