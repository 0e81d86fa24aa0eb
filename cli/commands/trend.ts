/**
 * `llmbench trend [--scenario NAME] [--runs DIR | --influx-url …] [--metric M:STAT …] [--last N] [--format md|json]
 * [--fail-on-change]` (DESIGN §11): a scenario's runs in time order with their headline numbers and the change points
 * across them, each with the run that introduced it. Runs come from a folder of run directories (default runs/) or,
 * with --influx-url, from InfluxDB's llm_run points. Exit 0; with --fail-on-change, 99 when the newest run starts a
 * change.
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { BenchError, UsageError } from '../../pipeline/core/errors.js';
import { renderTrendMarkdown } from '../../analytics/report/trend-markdown.js';
import { analyzeTrend, DEFAULT_TREND_METRICS, groupRuns, parseTrendMetric, selectGroup, TREND_DEFAULTS } from '../../analytics/trend.js';
import { trendRunsFromDirectories, trendRunsFromFlux } from '../../analytics/trend-sources.js';
import { fluxSourceOf } from '../flux-source-of.js';
import { addInfluxOptions, type InfluxFlags } from '../influx-options.js';
import { positiveInt } from '../parse-flags.js';

interface TrendFlags extends InfluxFlags {
  scenario?: string;
  fingerprint?: string;
  runs?: string;
  metric: string[];
  last?: string;
  format: 'md' | 'json';
  alpha: string;
  noise: string;
  failOnChange?: boolean;
  out?: string;
}

export function trendCommand(): Command {
  const command = new Command('trend')
    .description("a scenario's runs in time order, their headline metrics and the change points across them (the run that introduced each)")
    .option('--scenario <name>', 'the scenario (needed when the runs hold more than one)')
    .option('--fingerprint <hash>', 'the workload fingerprint, or its first digits (needed when the scenario ran more than one workload)')
    .option('--runs <dir>', 'the run directory root to read (default runs/)')
    .option('--metric <metric:stat>', `repeatable; default ${DEFAULT_TREND_METRICS.join(', ')}`, collect, [])
    .option('--last <n>', 'only the newest N runs')
    .addOption(new Option('--format <format>', 'md or json').choices(['md', 'json']).default('md'))
    .option('--alpha <a>', 'significance level of a change point (Otava\'s max p-value)', String(TREND_DEFAULTS.alpha))
    .option('--noise <pct>', 'changes of the mean smaller than this are not change points', `${TREND_DEFAULTS.noisePct}%`)
    .option('--fail-on-change', 'exit 99 when the newest run starts a change')
    .option('--out <file>', 'write the trend here instead of stdout');
  addInfluxOptions(command);
  return command.action(async (flags: TrendFlags) => {
    const alpha = Number(flags.alpha);
    const noisePct = Number(flags.noise.replace(/%$/, ''));
    if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be between 0 and 1, e.g. 0.001, got ${JSON.stringify(flags.alpha)}`);
    if (!(noisePct >= 0) || !Number.isFinite(noisePct)) throw new UsageError(`--noise must be a percentage ≥ 0, e.g. 2%, got ${JSON.stringify(flags.noise)}`);
    const last = flags.last !== undefined ? positiveInt(flags.last, '--last') : undefined;
    const metrics = (flags.metric.length ? flags.metric : [...DEFAULT_TREND_METRICS]).map(parseTrendMetric);
    const source = await fluxSourceOf(flags);
    if (source && flags.runs !== undefined) throw new UsageError('--runs and --influx-url name two sources', { hint: 'read the run directories (--runs DIR) or InfluxDB (--influx-url …), not both' });
    const root = flags.runs ?? 'runs';
    const runs = source
      ? await trendRunsFromFlux(source, metrics, flags.scenario)
      : await trendRunsFromDirectories(root, metrics, (line) => process.stderr.write(`warning: ${line}\n`));
    const where = { ...(flags.scenario !== undefined ? { scenario: flags.scenario } : {}), ...(flags.fingerprint !== undefined ? { fingerprint: flags.fingerprint } : {}) };
    const group = selectGroup(groupRuns(runs), where, source ? `InfluxDB bucket ${source.bucket}` : root);
    const report = analyzeTrend(group, metrics, { alpha, noisePct, ...(last !== undefined ? { last } : {}) });
    const text = flags.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderTrendMarkdown(report);
    if (flags.out) await writeFile(flags.out, text);
    else process.stdout.write(text);
    if (flags.failOnChange && report.newest_run_changed) {
      const newest = report.runs[report.runs.length - 1]!.run_id;
      const changes = report.change_points.filter((change) => change.run_id === newest).map((change) => `${change.metric} ${change.verdict} ${change.diff_pct.toFixed(1)} %`);
      throw new BenchError('REGRESSION_FOUND', `the newest run ${newest} starts a change: ${changes.join(', ')}`);
    }
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
