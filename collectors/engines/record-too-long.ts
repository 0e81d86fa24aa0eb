/**
 * The bound on what a stream parser holds for one record: a record (an SSE event, an NDJSON line) still
 * without its end after this many characters is refused instead of buffered on. A server that sends 50 MB
 * with no line end (or keeps adding `data:` lines without the blank line that ends an event) would otherwise
 * grow the client's memory with it, per stream. The largest real records are final events that repeat the
 * whole output (TGI's `generated_text`): about 4 characters per token, so 4 Mi characters is ~1M tokens.
 */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;

/** Thrown by a framer (SseParser, NdjsonParser) when a record outgrows its bound; it holds nothing after. */
export class RecordTooLong extends Error {
  constructor(readonly limitChars: number) {
    super(`a stream record grew past ${limitChars} characters without its end (no line end or blank line); the response was cut there`);
    this.name = 'RecordTooLong';
  }
}
