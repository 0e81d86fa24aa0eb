/**
 * Renders query results the way InfluxDB 2 answers /api/v2/query with the client's dialect: annotated CSV
 * (#datatype, #group, #default rows, a header starting with an empty annotation column, then `result` and
 * `table`), one block per table, blank line between blocks, empty cells for nulls, RFC3339 nanosecond
 * times. The format is InfluxDB's documented one (and the one influxdb-client-js's own fixtures use).
 */
export type CsvValue = string | number | boolean | null;

export interface CsvTable {
  /** Column names in order (without result/table). */
  readonly columns: readonly string[];
  /** Columns that are part of the group key. */
  readonly groupKey: ReadonlySet<string>;
  readonly rows: ReadonlyArray<Readonly<Record<string, CsvValue>>>;
}

export function renderAnnotatedCsv(tables: readonly CsvTable[]): string {
  const blocks = tables.map((table, index) => {
    const types = table.columns.map((column) => datatype(column, table.rows));
    const lines = [
      `#datatype,string,long,${types.join(',')}`,
      `#group,false,false,${table.columns.map((c) => String(table.groupKey.has(c))).join(',')}`,
      `#default,_result,,${table.columns.map(() => '').join(',')}`,
      `,result,table,${table.columns.join(',')}`,
      ...table.rows.map((row) => `,,${index},${table.columns.map((c) => cell(row[c] ?? null)).join(',')}`),
    ];
    return lines.join('\r\n');
  });
  return `${blocks.join('\r\n\r\n')}\r\n`;
}

/** Nanoseconds since the epoch (decimal string) → RFC3339 with trailing zeros of the fraction trimmed. */
export function rfc3339Nano(timeNs: string): string {
  const ns = BigInt(timeNs);
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(seconds) * 1000).toISOString().replace(/\.000Z$/, '');
  return `${base}${fraction ? `.${fraction}` : ''}Z`;
}

function datatype(column: string, rows: ReadonlyArray<Readonly<Record<string, CsvValue>>>): string {
  if (column === '_time' || column === '_start' || column === '_stop') return 'dateTime:RFC3339';
  const sample = rows.map((row) => row[column]).find((value) => value !== null && value !== undefined);
  if (typeof sample === 'number') return 'double';
  if (typeof sample === 'boolean') return 'boolean';
  return 'string';
}

function cell(value: CsvValue): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? formatDouble(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent. */
function formatDouble(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa, exponentText] = text.toLowerCase().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const point = mantissa.replace(/^-/, '').indexOf('.') === -1 ? mantissa.replace(/^-/, '').length : mantissa.replace(/^-/, '').indexOf('.');
  const position = point + exponent;
  const expanded =
    position <= 0 ? `0.${'0'.repeat(-position)}${digits}` : position >= digits.length ? digits + '0'.repeat(position - digits.length) : `${digits.slice(0, position)}.${digits.slice(position)}`;
  return negative ? `-${expanded}` : expanded;
}
