/**
 * `llmbench demo` (npm start): a first look with nothing installed. Starts the simulator in-process (vLLM
 * dialect, continuous-batching model), runs the quick scenario shortened to 20 s against it with live
 * progress, prints the summary and leaves the run directory under runs/.
 */
import { Command } from 'commander';
import { applyOverrides, compileScenario, loadScenario } from '../../pipeline/scenario/index.js';
import { runBenchmark } from '../../pipeline/run/run-benchmark.js';
import { createProgressDisplay } from '../progress.js';
import { createMonitor } from '../../collectors/resources/monitor.js';
import { newRunId } from '../../pipeline/run/run-id.js';
import { clientTuning } from '../../pipeline/tuning/process-tuning.js';
import { workloadFingerprint } from '../../pipeline/scenario/index.js';
import { renderSummaryTable } from '../summary-table.js';
import { runSinks } from '../run-sinks.js';
import { join } from 'node:path';

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the quick scenario (5 users, 20 s) against the built-in simulator')
    .option('--duration <d>', 'how long the demo load runs', '20s')
    .option('--out <dir>', 'the run directory (default runs/<run_id>)')
    .action(async (options: { duration: string; out?: string }) => {
      // Loaded here, not at the top: every other command would pay for importing the simulator.
      const { startSimulator } = await import('../../simulator/index.js');
      const sim = await startSimulator({ engine: 'vllm', model: 'demo-model', seed: 7 });
      process.stderr.write(`simulator (vLLM dialect, batching model) listening on ${sim.url}\n`);
      try {
        const scenario = applyOverrides(await loadScenario('quick'), {
          engine: 'vllm',
          url: sim.url,
          model: 'demo-model',
          duration: options.duration,
          promptTokens: 128,
          maxTokens: 64,
        });
        const display = await createProgressDisplay(process.stderr.isTTY ? 'tty' : 'lines');
        const interrupt = new AbortController();
        const onSigint = () => interrupt.abort();
        process.once('SIGINT', onSigint);
        try {
          const plan = compileScenario(scenario);
          const runId = newRunId();
          const dir = options.out ?? join('runs', runId);
          const notice = (line: string) => process.stderr.write(`${line}\n`);
          // Resources too, so the first look shows host, client and the simulator's vLLM /metrics side by side.
          const monitor = createMonitor({ runId, engine: 'vllm', engineBaseUrl: sim.url, gpu: 'auto' });
          const { result } = await runBenchmark(plan, {
            runId,
            monitor,
            scenarioName: 'demo',
            scenario: scenario as unknown as Record<string, unknown>,
            workloadFingerprint: workloadFingerprint(scenario),
            sinks: runSinks({ dir, influx: undefined, display, notice }).sinks,
            // The simulator serves from this very thread: lowering the coordinator would lower it too.
            tuning: clientTuning({ priorities: false }),
            signal: interrupt.signal,
            progressIntervalMs: display.intervalMs,
            onNotice: notice,
          });
          process.stdout.write(renderSummaryTable(result, dir) + '\n');
          process.stdout.write(`\nNext: llmbench report ${dir}   ·   llmbench run --help   ·   llmbench sim --engine ollama\n`);
        } finally {
          process.off('SIGINT', onSigint);
        }
      } finally {
        await sim.close();
      }
    });
}
