/**
 * `llmbench monitor`: resource sampling without a run. Prints one line per sample, or writes points as JSON
 * lines (the resources.jsonl shape) to --out. Stops after --duration, or on Ctrl-C / SIGTERM.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { parseDurationMs, systemClock } from '../../pipeline/core/clock.js';
import { ENGINE_KINDS, type EngineKind } from '../../pipeline/core/engine.js';
import { UsageError } from '../../pipeline/core/errors.js';
import type { Point } from '../../pipeline/core/point.js';
import { MIN_INTERVAL_MS, createMonitor, formatSampleLines, type MonitorOptions } from '../../collectors/resources/index.js';

interface MonitorFlags {
  gpu: string;
  duration?: string;
  interval: string;
  out?: string;
  serverMetrics?: string;
  engine?: EngineKind;
  enginePid?: string;
  engineProcess?: string;
  engineContainer?: string;
}

export function monitorCommand(): Command {
  return new Command('monitor')
    .description('sample GPU, host, process, container and engine metrics without a benchmark run')
    .option('--gpu <mode>', 'auto | nvml | nvidia-smi | off | a DCGM-exporter/Prometheus URL', 'auto')
    .option('--duration <duration>', 'stop after this long (e.g. 30s, 5m); default: until Ctrl-C')
    .option('--interval <duration>', 'sampling interval', '1s')
    .option('--out <file.jsonl>', 'write points as JSON lines (resources.jsonl shape) instead of printing them')
    .option('--server-metrics <url>', "scrape this Prometheus endpoint (e.g. an engine's /metrics)")
    .addOption(new Option('--engine <kind>', 'engine behind --server-metrics (default: recognised from its metric names)').choices(ENGINE_KINDS))
    .option('--engine-pid <pid>', 'also sample this local process and its children')
    .option('--engine-process <name>', 'also sample the local process with this name and its children')
    .option('--engine-container <name>', 'also sample this Docker container')
    .action(async (flags: MonitorFlags) => {
      await runMonitor(flags);
    });
}

async function runMonitor(flags: MonitorFlags): Promise<void> {
  const intervalMs = parseDurationMs(flags.interval);
  if (Number.isNaN(intervalMs)) throw new UsageError(`--interval ${flags.interval} is not a duration (use 500ms, 1s, 5s …)`);
  if (intervalMs < MIN_INTERVAL_MS) throw new UsageError(`--interval must be at least ${MIN_INTERVAL_MS}ms, got ${flags.interval}`);
  const durationMs = flags.duration === undefined ? undefined : parseDurationMs(flags.duration);
  if (durationMs !== undefined && (Number.isNaN(durationMs) || durationMs <= 0)) {
    throw new UsageError(`--duration ${flags.duration} is not a positive duration (use 30s, 5m …)`);
  }
  const enginePid = flags.enginePid === undefined ? undefined : Number(flags.enginePid);
  const options: MonitorOptions = {
    runId: `monitor-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-').toLowerCase()}`,
    intervalMs,
    gpu: flags.gpu,
    serverMetrics: flags.serverMetrics ?? 'off',
    ...(flags.engine === undefined ? {} : { engine: flags.engine }),
    ...(enginePid === undefined ? {} : { enginePid }),
    ...(flags.engineProcess === undefined ? {} : { engineProcess: flags.engineProcess }),
    ...(flags.engineContainer === undefined ? {} : { engineContainer: flags.engineContainer }),
  };
  const monitor = createMonitor(options);

  let out: WriteStream | undefined;
  if (flags.out !== undefined) {
    out = createWriteStream(flags.out, { flags: 'w' });
    await once(out, 'open').catch((cause: unknown) => {
      throw new UsageError(`cannot write --out ${flags.out}: ${(cause as Error).message}`, { cause });
    });
  }
  let written = 0;
  const onPoints = (points: readonly Point[]) => {
    if (out) {
      out.write(points.map((point) => `${JSON.stringify(point)}\n`).join(''));
      written += points.length;
    } else {
      for (const line of formatSampleLines(points)) process.stdout.write(`${line}\n`);
    }
  };

  const stopped = new AbortController();
  const onSignal = () => stopped.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await monitor.start({ runId: options.runId, onPoints, onNotice: (line) => process.stderr.write(`${line}\n`) });
    if (durationMs !== undefined) await systemClock.sleepUntil(systemClock.nowMs() + durationMs, stopped.signal);
    else await once(stopped.signal, 'abort');
    const summary = await monitor.stop();
    const where = out ? `, ${written} points written to ${flags.out}` : '';
    process.stderr.write(`monitor: ${summary.ticks} samples every ${intervalMs} ms${summary.ticks_missed ? ` (${summary.ticks_missed} missed)` : ''}${where}\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (out) {
      out.end();
      await once(out, 'close');
    }
  }
}
