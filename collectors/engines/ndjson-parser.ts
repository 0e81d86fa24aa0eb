/**
 * Incremental newline-delimited JSON framing (Ollama's native API: one JSON object per "\n"). Returns the
 * complete lines; a line split across reads is held until its "\n" arrives. Blank lines are skipped and a
 * trailing "\r" is dropped, so CRLF framing from a proxy parses the same. A line still unterminated past
 * the bound (record-too-long.ts) is dropped and push throws.
 */
import { MAX_RECORD_CHARS, RecordTooLong } from './record-too-long.js';

export class NdjsonParser {
  /** Unterminated tail of the last push. Invariant: contains no LF. */
  #partialLine = '';

  constructor(private readonly maxRecordChars = MAX_RECORD_CHARS) {}

  push(text: string): string[] {
    const lines: string[] = [];
    let lineStart = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      const piece = text.slice(lineStart, end);
      const line = this.#partialLine ? this.#partialLine + piece : piece;
      this.#partialLine = '';
      keep(line, lines);
      lineStart = end + 1;
      end = text.indexOf('\n', lineStart);
    }
    if (lineStart < text.length) this.#partialLine += text.slice(lineStart);
    if (this.#partialLine.length > this.maxRecordChars) {
      this.#partialLine = '';
      throw new RecordTooLong(this.maxRecordChars);
    }
    return lines;
  }

  /** The body ended: a last line without "\n" is still a line. */
  finish(): string[] {
    const lines: string[] = [];
    keep(this.#partialLine, lines);
    this.#partialLine = '';
    return lines;
  }
}

function keep(line: string, lines: string[]): void {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (trimmed.trim().length > 0) lines.push(trimmed);
}
