/**
 * What the report says, once, as data: sections of blocks (paragraphs, lists, tables). markdown.ts renders it as
 * report.md and html.ts as report.html around its charts, so both formats say the same by construction.
 */

/** A run of text: plain, strong, or code (a name, an expression). */
export type Span = string | { readonly strong: string } | { readonly code: string };
export type Text = string | readonly Span[];

export interface ReportTable {
  readonly headers: readonly string[];
  /** Per column; numbers are right-aligned. */
  readonly align: ReadonlyArray<'left' | 'right'>;
  readonly rows: ReadonlyArray<readonly string[]>;
}

export type Block =
  | { readonly kind: 'paragraph'; readonly text: Text }
  | { readonly kind: 'list'; readonly items: readonly Text[] }
  | { readonly kind: 'table'; readonly table: ReportTable }
  /** A sub-heading inside a section. */
  | { readonly kind: 'heading'; readonly text: string; readonly id: string };

export interface ReportSection {
  /** Stable id: the HTML anchor, and how html.ts places sections beside charts. */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export const paragraph = (text: Text): Block => ({ kind: 'paragraph', text });
export const list = (items: readonly Text[]): Block => ({ kind: 'list', items });
export const heading = (id: string, text: string): Block => ({ kind: 'heading', text, id });

/** A table; columns whose header is in `rightAligned` are right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, rightAligned: (header: string, index: number) => boolean): Block {
  return { kind: 'table', table: { headers, rows, align: headers.map((header, index) => (rightAligned(header, index) ? 'right' : 'left')) } };
}

/** Every column after the first `leftColumns` is right-aligned (numbers). */
export const numbersAfter =
  (leftColumns: number) =>
  (_header: string, index: number): boolean =>
    index >= leftColumns;

/** The plain text of a Text (for titles, alt text and tests). */
export function plainText(text: Text): string {
  if (typeof text === 'string') return text;
  return text.map((span) => (typeof span === 'string' ? span : 'strong' in span ? span.strong : span.code)).join('');
}
