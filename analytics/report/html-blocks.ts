/** report-document.ts blocks as HTML; every text passes through escapeHtml. */
import { escapeHtml } from './html-escape.js';
import type { Block, ReportSection, ReportTable, Text } from './report-document.js';

export function htmlText(text: Text): string {
  if (typeof text === 'string') return escapeHtml(text);
  return text
    .map((span) => {
      if (typeof span === 'string') return escapeHtml(span);
      if ('strong' in span) return `<strong>${escapeHtml(span.strong)}</strong>`;
      return `<code>${escapeHtml(span.code)}</code>`;
    })
    .join('');
}

export function htmlTable(table: ReportTable): string {
  const cls = (index: number) => (table.align[index] === 'right' ? ' class="num"' : '');
  const head = table.headers.map((header, index) => `<th${cls(index)}>${escapeHtml(header)}</th>`).join('');
  const body = table.rows.map((row) => `<tr>${row.map((cell, index) => `<td${cls(index)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

export function htmlBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${htmlText(block.text)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${htmlText(item)}</li>`).join('\n')}\n</ul>`;
    case 'table':
      return htmlTable(block.table);
    case 'heading':
      return `<h3 id="${escapeHtml(block.id)}">${escapeHtml(block.text)}</h3>`;
  }
}

/** A report section with its title; `before` goes between the title and the blocks (charts). */
export function htmlSection(section: ReportSection, before = ''): string {
  return `<section id="${escapeHtml(section.id)}">\n<h2>${escapeHtml(section.title)}</h2>\n${before}${section.blocks.map(htmlBlock).join('\n')}\n</section>`;
}
