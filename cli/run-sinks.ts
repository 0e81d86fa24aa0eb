/**
 * The sinks of a run, registered in one place. They open in this order and close in reverse: the run directory
 * first (it opens first and writes run.json last), then InfluxDB when configured (it closes after the analysis,
 * so its llm_run point carries the knee and the SLO limit), analysis and reports, then the live display. A new
 * sink is one file plus one line here.
 */
import type { RunSink } from '../pipeline/core/sink.js';
import { createInfluxSink, type InfluxDbSink } from '../pipeline/sinks/influxdb.js';
import type { InfluxConfig } from '../pipeline/sinks/influx-config.js';
import { RunDirectorySink } from '../pipeline/sinks/run-directory.js';
import { AnalyticsSink } from '../analytics/analytics-sink.js';
import type { AnalysisOptions } from '../analytics/analyze.js';
import { SaturationSink } from '../analytics/saturation-sink.js';
import { ProgressSink, type ProgressDisplay } from './progress.js';

export interface RunSinkConfig {
  readonly dir: string;
  readonly influx: InfluxConfig | undefined;
  readonly display: ProgressDisplay;
  readonly notice: (line: string) => void;
  readonly analysis?: AnalysisOptions;
  /** --stop-on-saturation: end the level (a search) or the run. */
  readonly stopOnSaturation?: 'level' | 'run' | undefined;
}

export interface RunSinks {
  readonly sinks: RunSink[];
  /** The InfluxDB sink, when there is one (a second Ctrl-C asks it what is still unsent). */
  readonly influx: InfluxDbSink | undefined;
}

export function runSinks(config: RunSinkConfig): RunSinks {
  const influx = config.influx ? createInfluxSink(config.influx, { spillDir: config.dir, onNotice: (line) => config.notice(`influxdb: ${line}`) }) : undefined;
  const directory = new RunDirectorySink(config.dir);
  const sinks: RunSink[] = [directory];
  if (influx) sinks.push(influx);
  sinks.push(new AnalyticsSink(config.dir, () => directory.writtenRecords(), config.analysis));
  if (config.stopOnSaturation) sinks.push(new SaturationSink(config.stopOnSaturation));
  sinks.push(new ProgressSink(config.display));
  return { sinks, influx };
}
