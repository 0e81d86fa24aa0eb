/**
 * `llmbench compare --format md`: the verdict, then one row per metric with both sides, the change and its interval,
 * and how many values each side's interval counts (requests, and what they are worth as independent draws; for
 * output throughput, 1 s windows).
 */
import type { Comparison, MetricComparison } from '../../pipeline/core/analysis.js';
import { formatP } from '../compare.js';
import { formatPct, formatValue } from '../format.js';

export function renderCompareMarkdown(comparison: Comparison): string {
  const side = (s: Comparison['base']) => `${s.engine} \`${s.model}\` at ${s.url}: ${s.runs.length} run${s.runs.length === 1 ? '' : 's'} (${s.runs.map((run) => run.run_id).join(', ')}), ${s.requests} ok requests`;
  const lines = [
    `# llmbench compare: ${comparison.verdict.toUpperCase()}`,
    '',
    `- **Base**: ${side(comparison.base)}`,
    `- **Candidate**: ${side(comparison.cand)}`,
    `- **Workload**: ${comparison.workload_match ? 'the same on both sides' : `DIFFERENT (compared anyway): ${comparison.workload_differences.join('; ')}`}`,
    '',
    ...comparison.summary.map((line) => `- ${line}`),
    '',
    '| metric | gated | base p50 | cand p50 | base p95 | cand p95 | base p99 | cand p99 | change | interval | p | n base / cand (effective) | verdict |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|',
  ];
  for (const [name, m] of Object.entries(comparison.metrics)) {
    const p = m.p === null ? '-' : formatP(m.p).replace(/^= /, '');
    lines.push(
      `| ${name} | ${m.gated ? 'yes' : ''} | ${formatValue(m.base.p50, name)} | ${formatValue(m.cand.p50, name)} | ${formatValue(m.base.p95, name)} | ${formatValue(m.cand.p95, name)} | ${formatValue(m.base.p99, name)} | ${formatValue(m.cand.p99, name)} | ${formatPct(m.diff_pct)} | ${formatPct(m.ci_low_pct)} … ${formatPct(m.ci_high_pct)} | ${p} | ${sampleSizes(name, m)} | ${m.verdict} |`,
    );
  }
  lines.push('', 'Method: ' + Object.entries(comparison.method).map(([key, value]) => `${key}: ${value}`).join('; ') + '.', '');
  return lines.join('\n');
}

/** `1 200 / 1 180 (160 / 150)`: ok requests and their effective sample sizes; output_tps counts its 1 s windows. */
function sampleSizes(metric: string, m: MetricComparison): string {
  const count = (n: number) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
  if (metric === 'output_tps') return `${count(m.base.n_effective)} / ${count(m.cand.n_effective)} windows`;
  return `${count(m.base.n)} / ${count(m.cand.n)} (${count(m.base.n_effective)} / ${count(m.cand.n_effective)})`;
}
