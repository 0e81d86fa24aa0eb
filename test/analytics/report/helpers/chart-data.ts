/** The chart data a report.html carries (its JSON element), read back as the page's script reads it. */
import type { ChartSpec } from '../../../../analytics/report/chart-spec.js';

export function chartData(html: string): { charts: ChartSpec[] } {
  const match = /<script type="application\/json" id="llmbench-data">([^<]*)<\/script>/.exec(html);
  if (!match) throw new Error('no chart data in the page');
  return JSON.parse(match[1]!) as { charts: ChartSpec[] };
}
