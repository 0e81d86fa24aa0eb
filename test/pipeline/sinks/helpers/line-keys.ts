/**
 * Splits line protocol just enough for assertions: the series (measurement + tag set), the timestamp and the
 * fields. Handles the escapes our writer produces (\, \  \= in the key, quoted strings in fields).
 */
export interface ParsedLine {
  readonly measurement: string;
  /** Measurement and tags exactly as written (escapes kept): InfluxDB's series key. */
  readonly series: string;
  readonly tags: Record<string, string>;
  readonly fields: Record<string, string>;
  readonly timeNs: string;
}

export function parseLine(line: string): ParsedLine {
  const keyEnd = indexOfUnescaped(line, ' ', 0);
  const series = line.slice(0, keyEnd);
  const fieldsEnd = lastSpaceOutsideQuotes(line);
  const fieldText = line.slice(keyEnd + 1, fieldsEnd);
  const parts = splitUnescaped(series, ',');
  const tags: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    const eq = indexOfUnescaped(part, '=', 0);
    tags[unescape(part.slice(0, eq))] = unescape(part.slice(eq + 1));
  }
  const fields: Record<string, string> = {};
  for (const part of splitFields(fieldText)) {
    const eq = indexOfUnescaped(part, '=', 0);
    fields[unescape(part.slice(0, eq))] = part.slice(eq + 1);
  }
  return { measurement: unescape(parts[0]!), series, tags, fields, timeNs: line.slice(fieldsEnd + 1) };
}

/** The identity InfluxDB overwrites on: series + timestamp. */
export function pointKey(line: string): string {
  const parsed = parseLine(line);
  return `${parsed.series} ${parsed.timeNs}`;
}

function indexOfUnescaped(text: string, char: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === char) return i;
  }
  return -1;
}

function splitUnescaped(text: string, char: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = indexOfUnescaped(text, char, 0); i >= 0; i = indexOfUnescaped(text, char, start)) {
    parts.push(text.slice(start, i));
    start = i + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

function splitFields(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ',' && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function lastSpaceOutsideQuotes(line: string): number {
  let quoted = false;
  let last = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ' ' && !quoted) last = i;
  }
  return last;
}

function unescape(text: string): string {
  return text.replace(/\\([ ,=])/g, '$1');
}
