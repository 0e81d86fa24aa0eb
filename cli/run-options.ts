/**
 * The flags of one benchmark run, shared by `llmbench run` and `llmbench schedule` (DESIGN §15: `schedule … [run
 * flags]`): target, load, workload, thresholds, monitoring and InfluxDB. What differs stays with each command:
 * `run` adds --out, --compare-stream and --json; `schedule` has --runs-dir instead of --out.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_USER_SEND_RATE_PER_S } from '../pipeline/pool/dispatch-pacer.js';
import { addInfluxOptions } from './influx-options.js';

export function addRunOptions(command: Command): Command {
  command
    .option('--name <name>', 'the scenario name the run is filed under (trend groups runs by it)')
    .option('--engine <engine>', 'ollama | vllm | tgi | llamacpp | openai | sglang')
    .option('--url <url>', 'the engine base URL, e.g. http://127.0.0.1:8000')
    .option('--model <name>', 'the model the engine serves')
    .addOption(new Option('--api <api>', 'endpoint family (default: the engine\'s native API)').choices(['native', 'completions', 'chat']))
    .option('--concurrency <n>', 'closed loop: this many users')
    .option('--rate [rps]', 'open loop: requests per second (bare, on a sweep: its levels are requests/s)')
    .option('--arrival <process>', 'constant | poisson | gamma')
    .option('--burstiness <b>', 'gamma shape (1 = Poisson, < 1 burstier)')
    .option('--max-in-flight <n>', 'open loop cap; arrivals finding it full are recorded as dropped')
    .option('--stages <list>', 'ramping users, "DURATION:TARGET,…" e.g. "30s:10,10s:100"')
    .option('--rate-stages <list>', 'ramping requests/s, "DURATION:TARGET,…"')
    .option('--duration <d>', 'how long to send, e.g. 60s')
    .option('--requests <n>', 'how many requests to send')
    .option('--level-duration <d>', 'sweep: how long each level runs')
    .option('--level-requests <n>', 'sweep: requests per level (with --level-duration: whichever ends first)')
    .option('--repeats <n>', 'sweep: measure each level this many times')
    .option('--slo <expr>', 'e.g. "ttft_ms:p95<1000" (repeatable); on a sweep, search the highest load meeting them', collect, [])
    .option('--stop-on-saturation', 'end the level (sweep) or the run when latency and in-flight grow while throughput does not')
    .option('--warmup <n|d>', 'warmup requests (or a duration), excluded from statistics')
    .option('--think-time <d>', 'closed loop: pause between a user\'s requests')
    .option('--seed <n>', 'seed for arrivals and prompts')
    .option('--prompt-tokens <n>', 'synthetic prompt length in tokens')
    .option('--max-tokens <n>', 'output tokens per request (exact where the engine allows)')
    .option('--no-stream', 'non-streaming requests')
    .option('--dataset <file>', 'JSONL prompts, {"prompt": "…"} per line')
    .option('--api-key-env <var>', 'environment variable holding the engine API key')
    .option('--threshold <expr>', 'e.g. "ttft_ms:p95<2000" (repeatable); failing → exit 99', collect, [])
    .option('--workers <n>', 'worker threads (default: cores − 1)')
    .option('--user-send-rate <per-s>', `closed loop: most sends per second per worker thread, so users due together go out paced (default ${DEFAULT_USER_SEND_RATE_PER_S}; inf = none)`)
    .option('--gpu <mode>', 'auto | nvml | nvidia-smi | off | PROMETHEUS_URL', 'auto')
    .option('--monitor-interval <d>', 'resource sampling interval', '1s')
    .option('--no-monitor', 'no resource monitoring')
    .option('--server-metrics <mode>', 'auto | off | URL of the engine\'s Prometheus metrics', 'auto')
    .option('--engine-pid <pid>', 'sample this local engine process')
    .option('--engine-process <name>', 'sample the local engine process with this name')
    .option('--engine-container <name>', 'sample this Docker container')
    .option('--cold-start', 'start the engine container and measure time to healthy and first token');
  return addInfluxOptions(command);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
