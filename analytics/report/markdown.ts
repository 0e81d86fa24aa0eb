/** report.md: what a person reads after a run (DESIGN §6, §17). Built from run.json alone, so it can be re-rendered. */
import type { RunResult } from '../../pipeline/core/run-result.js';
import { markdownBlock, markdownText } from './markdown-blocks.js';
import { runReport } from './run-report.js';

export function renderMarkdownReport(result: RunResult): string {
  const report = runReport(result);
  const lines: string[] = [`# ${report.title}`, ''];
  lines.push(...report.overview.map((item) => `- ${markdownText(item)}`), '');
  for (const section of report.sections) {
    lines.push(`## ${section.title}`, '');
    for (const block of section.blocks) lines.push(...markdownBlock(block), '');
  }
  return lines.join('\n');
}
