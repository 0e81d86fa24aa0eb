/**
 * `llmbench trend --format md`: per metric a sparkline of the runs in time order (sparkly, one character per run,
 * lowest to highest of that metric, or ± the noise threshold when it moves less) with its range and newest value, the change points with the run that
 * introduced each, then the runs table and the runs left out.
 */
import sparkly from 'sparkly';
import { formatP } from '../compare.js';
import { formatPct, formatValue } from '../format.js';
import type { TrendReport } from '../trend.js';

export function renderTrendMarkdown(report: TrendReport): string {
  const runs = report.runs;
  const engines = [...new Set(runs.map((run) => `${run.engine} \`${run.model}\``))];
  const lines = [
    `# llmbench trend: ${report.scenario}`,
    '',
    `- **Workload fingerprint**: ${report.fingerprint}`,
    `- **Runs**: ${runs.length}${runs.length ? `, ${runs[0]!.started_at} … ${runs[runs.length - 1]!.started_at}` : ''}${engines.length ? ` (${engines.join(', ')})` : ''}`,
    `- **Change points**: ${report.change_points.length === 0 ? 'none' : report.change_points.length}${report.newest_run_changed ? ' (the newest run starts a change)' : ''}`,
    '',
    '| metric | runs, oldest → newest | min | max | newest |',
    '|---|---|---:|---:|---:|',
  ];
  for (const metric of report.method.metrics) {
    const values = runs.map((run) => run.metrics[metric] ?? null);
    const finite = values.filter((value): value is number => value !== null);
    const unit = unitName(metric);
    const line = finite.length ? sparkly(values.map((value) => value ?? ''), sparkRange(finite, report.method.noise_pct)) : '';
    lines.push(
      `| ${metric} | \`${line}\` | ${formatValue(finite.length ? Math.min(...finite) : null, unit)} | ${formatValue(finite.length ? Math.max(...finite) : null, unit)} | ${formatValue(values[values.length - 1], unit)} |`,
    );
  }
  lines.push('', '## Change points', '');
  if (report.change_points.length === 0) lines.push(`None at α = ${report.method.alpha} beyond ${report.method.noise_pct} % noise.`);
  for (const change of report.change_points) {
    const unit = unitName(change.metric);
    lines.push(
      `- **${change.metric}** ${change.verdict} in run \`${change.run_id}\`: ${formatValue(change.before, unit)} → ${formatValue(change.after, unit)} (${formatPct(change.diff_pct)}, p ${formatP(change.p)})${change.provisional ? ' — provisional: the newest run alone' : ''}`,
    );
  }
  lines.push('', '## Runs', '', `| run | started | engine | model | ${report.method.metrics.join(' | ')} |`, `|---|---|---|---|${report.method.metrics.map(() => '---:').join('|')}|`);
  const changedAt = new Map<string, string[]>();
  for (const change of report.change_points) changedAt.set(change.run_id, [...(changedAt.get(change.run_id) ?? []), change.metric]);
  for (const run of runs) {
    const cells = report.method.metrics.map((metric) => `${formatValue(run.metrics[metric], unitName(metric))}${changedAt.get(run.run_id)?.includes(metric) ? ' ◆' : ''}`);
    lines.push(`| ${run.run_id} | ${run.started_at} | ${run.engine} | ${run.model} | ${cells.join(' | ')} |`);
  }
  if (report.change_points.length) lines.push('', '◆ the run where a change point begins.');
  if (report.skipped.length) {
    lines.push('', '## Left out', '');
    for (const run of report.skipped) lines.push(`- \`${run.run_id}\` (${run.started_at}): ${run.reason}`);
  }
  lines.push('', `Method: ${report.method.change_points}; alpha ${report.method.alpha}, noise ${report.method.noise_pct} %.`, '');
  return lines.join('\n');
}

/**
 * The sparkline's scale: the values' range, but at least ± the noise threshold around their middle, so a series
 * that moves less than the noise draws as the near-flat line it is instead of spanning ▁ to █.
 */
function sparkRange(values: readonly number[], noisePct: number): { minimum: number; maximum: number } {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const middle = (low + high) / 2;
  const pad = (Math.abs(values.reduce((sum, value) => sum + value, 0) / values.length) * noisePct) / 100;
  return high - low >= 2 * pad ? { minimum: low, maximum: high } : { minimum: middle - pad, maximum: middle + pad };
}

/** `ttft_ms:p95` → `ttft_ms`, so values print with their unit. */
function unitName(metric: string): string {
  return metric.split(':')[0]!;
}
