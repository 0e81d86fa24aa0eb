/** Every provisioned dashboard and the file under grafana/dashboards/ it is written to. */
import type { Dashboard } from './dashboard-model.js';
import { enduranceTrends } from './endurance-trends.js';
import { liveRun } from './live-run.js';
import { resourcesVsPerformance } from './resources-vs-performance.js';
import { runComparison } from './run-comparison.js';
import { scaling } from './scaling.js';

export const DASHBOARDS: ReadonlyArray<{ readonly file: string; readonly build: () => Dashboard }> = [
  { file: 'live-run.json', build: liveRun },
  { file: 'run-comparison.json', build: runComparison },
  { file: 'scaling.json', build: scaling },
  { file: 'resources-vs-performance.json', build: resourcesVsPerformance },
  { file: 'endurance-trends.json', build: enduranceTrends },
];

/** A dashboard as it is committed: 2-space JSON and a final newline. */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
