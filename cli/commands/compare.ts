/**
 * `llmbench compare BASE CANDIDATE`: each side a run directory or a folder of repeats (DESIGN §8, §15). Prints
 * the comparison (md, json or html) and exits 99 when a gated metric regressed, 2 when the workloads differ
 * (with --format json the refusal is JSON too: {error: {code, message}}). With `--influx-url …` each side is a run id
 * (or repeats as "id1,id2") read back from InfluxDB (analytics/flux-run.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { BenchError, UsageError } from '../../pipeline/core/errors.js';
import { compareRuns, COMPARE_DEFAULTS } from '../../analytics/compare.js';
import { loadSide } from '../../analytics/compare-sources.js';
import { loadFluxSide } from '../../analytics/flux-run.js';
import { fluxSourceOf } from '../flux-source-of.js';
import { addInfluxOptions, type InfluxFlags } from '../influx-options.js';
import { renderCompareMarkdown } from '../../analytics/report/compare-markdown.js';
import { renderCompareHtml } from '../../analytics/report/html.js';

interface CompareFlags extends InfluxFlags {
  format: 'md' | 'json' | 'html';
  noise: string;
  alpha: string;
  allowDifferentWorkload?: boolean;
  out?: string;
}

export function compareCommand(): Command {
  const command = new Command('compare')
    .description('compare two runs (or folders of repeat runs) metric by metric: verdict per metric, exit 99 on a regression')
    .argument('<base>', 'a run directory, or a folder of run directories (repeats); with --influx-url a run id, or "id1,id2" (repeats)')
    .argument('<candidate>', 'a run directory, or a folder of run directories (repeats); with --influx-url a run id, or "id1,id2"')
    .addOption(new Option('--format <format>', 'md, json or html').choices(['md', 'json', 'html']).default('md'))
    .option('--noise <pct>', 'changes smaller than this are unchanged, per metric', `${COMPARE_DEFAULTS.noisePct}%`)
    .option('--alpha <a>', 'significance level', String(COMPARE_DEFAULTS.alpha))
    .option('--allow-different-workload', 'compare even when prompt/output lengths, load shape or streaming differ')
    .option('--out <file>', 'write the report here instead of stdout');
  addInfluxOptions(command);
  return command
    .action(async (basePath: string, candPath: string, flags: CompareFlags) => {
      try {
        const noisePct = Number(flags.noise.replace(/%$/, ''));
        const alpha = Number(flags.alpha);
        if (!(noisePct >= 0) || !Number.isFinite(noisePct)) throw new UsageError(`--noise must be a percentage ≥ 0, e.g. 2%, got ${JSON.stringify(flags.noise)}`);
        if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be between 0 and 1, e.g. 0.05, got ${JSON.stringify(flags.alpha)}`);
        const warn = (line: string) => process.stderr.write(`warning: ${line}\n`);
        const source = await fluxSourceOf(flags);
        const base = source ? await loadFluxSide(source, basePath) : await loadSide(basePath, warn);
        const cand = source ? await loadFluxSide(source, candPath) : await loadSide(candPath, warn);
        const comparison = compareRuns(base, cand, { noisePct, alpha, allowDifferentWorkload: Boolean(flags.allowDifferentWorkload) });
        const text =
          flags.format === 'json' ? JSON.stringify(comparison, null, 2) + '\n'
          : flags.format === 'html' ? renderCompareHtml(comparison, base, cand)
          : renderCompareMarkdown(comparison);
        if (flags.out) await writeFile(flags.out, text);
        else process.stdout.write(text);
        if (comparison.verdict === 'regressed') {
          const regressed = Object.entries(comparison.metrics).filter(([, metric]) => metric.gated && metric.verdict === 'regressed').map(([name]) => name);
          throw new BenchError('REGRESSION_FOUND', `the candidate regressed: ${regressed.join(', ')}`);
        }
      } catch (error) {
        if (flags.format === 'json' && error instanceof BenchError && error.code !== 'REGRESSION_FOUND') {
          process.stdout.write(JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2) + '\n');
        }
        throw error;
      }
    });
}
