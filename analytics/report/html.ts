/** report.html (DESIGN §17): placeholder until the HTML report lands; renders nothing. */
import type { RunResult } from '../../pipeline/core/run-result.js';
import type { RunData } from '../run-data.js';

export function renderHtmlReport(_result: RunResult, _data: RunData): string | undefined {
  return undefined;
}
