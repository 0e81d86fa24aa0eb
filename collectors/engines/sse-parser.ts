/**
 * Incremental Server-Sent Events parser (WHATWG HTML §9.2 "event stream interpretation"), written here
 * rather than taken from `eventsource-parser` for two reasons: old llama.cpp builds write a non-standard
 * `error: {...}` field that the spec (and that library) silently drop, and the runner calls this once per
 * socket read on up to thousands of streams, so it keeps no per-record closures and scans each byte once.
 *
 * Rules: lines end in CRLF, LF or CR (a CR at the end of one push may pair with an LF at the start of the
 * next); a blank line dispatches the record; `:` lines are comments (keep-alives); `field: value` strips one
 * leading space from the value; several `data` lines join with "\n"; a record without data is dropped.
 * What it holds for the record being read is bounded (record-too-long.ts): past the bound, push throws.
 */
import { MAX_RECORD_CHARS, RecordTooLong } from './record-too-long.js';

export interface SseRecord {
  /** The `event` field, or "message" when absent. Old llama.cpp's `error:` field yields "error". */
  readonly event: string;
  readonly data: string;
}

const COLON = 0x3a;
const SPACE = 0x20;
const BOM = '\ufeff';

export class SseParser {
  /** Unterminated tail of the last push. Invariant: contains no CR or LF. */
  #partialLine = '';
  /** The previous push ended in CR: an LF at the start of this one completes that line ending. */
  #pendingCr = false;
  #atStart = true;
  #eventName = '';
  #dataLines: string[] = [];
  /** Characters held in #dataLines. */
  #dataChars = 0;

  constructor(private readonly maxRecordChars = MAX_RECORD_CHARS) {}

  /** Feeds decoded text; returns every record completed by it, in order. */
  push(text: string): SseRecord[] {
    const records: SseRecord[] = [];
    if (text.length === 0) return records;
    let from = 0;
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (text.charCodeAt(0) === 0x0a) from = 1;
    }
    if (this.#atStart) {
      // The spec ignores one byte-order mark at the very start of the stream.
      if (text.startsWith(BOM, from)) from += 1;
      if (from < text.length) this.#atStart = false;
    }
    // Search only the new text for line ends: the kept partial line has none, so a record split over
    // many small reads is not rescanned from its start each time.
    let nextLf = text.indexOf('\n', from);
    let nextCr = text.indexOf('\r', from);
    let lineStart = from;
    while (nextLf !== -1 || nextCr !== -1) {
      const end = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      const piece = text.slice(lineStart, end);
      const line = this.#partialLine ? this.#partialLine + piece : piece;
      this.#partialLine = '';
      let after = end + 1;
      if (end === nextCr) {
        if (after < text.length) {
          if (text.charCodeAt(after) === 0x0a) after += 1;
        } else {
          this.#pendingCr = true;
        }
      }
      this.#line(line, records);
      lineStart = after;
      if (nextLf !== -1 && nextLf < lineStart) nextLf = text.indexOf('\n', lineStart);
      if (nextCr !== -1 && nextCr < lineStart) nextCr = text.indexOf('\r', lineStart);
    }
    if (lineStart < text.length) this.#partialLine += text.slice(lineStart);
    if (this.#partialLine.length + this.#dataChars > this.maxRecordChars) this.#overflow();
    return records;
  }

  /**
   * The body ended. Returns the record an unterminated tail held: the spec discards it, but a server that
   * closes right after `data: [DONE]\n` (no blank line) has still said what it meant.
   */
  finish(): SseRecord[] {
    const records: SseRecord[] = [];
    if (this.#partialLine) {
      this.#line(this.#partialLine, records);
      this.#partialLine = '';
    }
    this.#pendingCr = false;
    this.#dispatch(records);
    return records;
  }

  #line(line: string, records: SseRecord[]): void {
    if (line.length === 0) {
      this.#dispatch(records);
      return;
    }
    if (line.charCodeAt(0) === COLON) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === SPACE) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#dataLines.push(value);
        this.#dataChars += value.length;
        if (this.#dataChars > this.maxRecordChars) this.#overflow();
        break;
      case 'event':
        this.#eventName = value;
        break;
      case 'error':
        // Old llama.cpp (examples/server) wrote mid-stream errors as `error: {json}` instead of `data:`.
        this.#eventName = 'error';
        this.#dataLines.push(value);
        this.#dataChars += value.length;
        if (this.#dataChars > this.maxRecordChars) this.#overflow();
        break;
      default:
        // `id`, `retry` and unknown fields carry nothing a benchmark needs.
        break;
    }
  }

  #dispatch(records: SseRecord[]): void {
    if (this.#dataLines.length > 0) {
      records.push({ event: this.#eventName || 'message', data: this.#dataLines.join('\n') });
    }
    this.#dataLines = [];
    this.#dataChars = 0;
    this.#eventName = '';
  }

  /** Drops what the record held, then says so. */
  #overflow(): never {
    this.#partialLine = '';
    this.#dataLines = [];
    this.#dataChars = 0;
    this.#eventName = '';
    throw new RecordTooLong(this.maxRecordChars);
  }
}
