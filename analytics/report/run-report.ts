/** A run's report as data (report-document.ts), from run.json alone: what report.md prints and report.html shows beside its charts. */
import type { RunResult } from '../../pipeline/core/run-result.js';
import { analysisSection } from './analysis-sections.js';
import type { ReportSection, Text } from './report-document.js';
import { resourcesSection } from './resource-sections.js';
import { clientHealthSection, metricsSection, overviewItems, requestsSection, stagesSection, thresholdsSection } from './run-sections.js';

export interface RunReport {
  readonly title: string;
  readonly overview: readonly Text[];
  readonly sections: readonly ReportSection[];
}

export function runReport(result: RunResult): RunReport {
  const sections = [
    requestsSection(result),
    metricsSection(result),
    stagesSection(result),
    thresholdsSection(result),
    clientHealthSection(result),
    resourcesSection(result.resources),
    analysisSection(result.analysis, Date.parse(result.started_at)),
  ].filter((section): section is ReportSection => section !== undefined);
  return { title: `llmbench run ${result.run_id}`, overview: overviewItems(result), sections };
}
