/** report-document.ts blocks as Markdown (GitHub's dialect: pipe tables). */
import type { Block, ReportTable, Text } from './report-document.js';

export function markdownText(text: Text): string {
  if (typeof text === 'string') return text;
  return text
    .map((span) => {
      if (typeof span === 'string') return span;
      if ('strong' in span) return `**${span.strong}**`;
      // A code span that holds backticks needs a longer fence (CommonMark §6.1).
      const fence = span.code.includes('`') ? '``' : '`';
      return fence === '`' ? `\`${span.code}\`` : `${fence} ${span.code} ${fence}`;
    })
    .join('');
}

/** A table cell: a pipe would end the cell and a newline the row. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function markdownTable(table: ReportTable): string[] {
  return [
    `| ${table.headers.map(cell).join(' | ')} |`,
    `|${table.align.map((align) => (align === 'right' ? '---:' : '---')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/** Lines of one block, without the blank line that separates blocks. */
export function markdownBlock(block: Block): string[] {
  switch (block.kind) {
    case 'paragraph':
      return [markdownText(block.text)];
    case 'list':
      return block.items.map((item) => `- ${markdownText(item)}`);
    case 'table':
      return markdownTable(block.table);
    case 'heading':
      return [`### ${block.text}`];
  }
}
