/** report.html (DESIGN §17): placeholder until the HTML report lands; renders nothing. */
import type { Comparison } from '../../pipeline/core/analysis.js';
import type { RunResult } from '../../pipeline/core/run-result.js';
import type { RunData } from '../run-data.js';

export function renderHtmlReport(_result: RunResult, _data: RunData): string | undefined {
  return undefined;
}

export function renderCompareHtml(_comparison: Comparison, _base: ReadonlyArray<{ result: RunResult; data: RunData }>, _cand: ReadonlyArray<{ result: RunResult; data: RunData }>): string {
  return '';
}
