import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Point } from '../../../pipeline/core/point.js';
import { parsePrometheusText } from '../../../collectors/resources/prometheus-text.js';
import { detectPreset, engineMetricValues, presetLines } from '../../../collectors/resources/server-metrics/engine-metrics.js';
import { ENGINE_METRICS_PRESETS } from '../../../collectors/resources/server-metrics/presets.js';
import { serverMetricsUrl } from '../../../collectors/resources/server-metrics/server-metrics-sampler.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';
import { ManualClock } from './helpers/manual-clock.js';
import { freePort, startTextServer, waitFor } from './helpers/text-server.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const VLLM = fixture('vllm-metrics.txt');
// Captured from a real llama-server (Debian's llama.cpp, shared/tools/llama-server.sh, started with --metrics).
const LLAMACPP = fixture('llamacpp-metrics.txt');

test('vLLM page: series folded across engines and finish reasons (counts summed, KV-cache use = the fullest)', (t) => {
  const values = engineMetricValues(parsePrometheusText(VLLM), ENGINE_METRICS_PRESETS.vllm);
  t.deepEqual(
    Object.fromEntries(values.map((v) => [v.metric, v.value])),
    {
      'vllm:num_requests_running': 3,
      'vllm:num_requests_waiting': 4,
      'vllm:kv_cache_usage_perc': 0.4189453125,
      'vllm:prompt_tokens_total': 21248,
      'vllm:generation_tokens_total': 10624,
      'vllm:num_preemptions_total': 0,
      'vllm:request_success_total': 83,
    },
  );
});

test('only the preset lines are parsed, and they give the same values as the whole page', (t) => {
  const kept = presetLines(VLLM, ENGINE_METRICS_PRESETS.vllm);
  t.false(kept.includes('time_to_first_token'));
  t.false(kept.includes('python_gc'));
  t.false(kept.includes('prompt_tokens_created'));
  t.true(kept.includes('# TYPE vllm:kv_cache_usage_perc gauge'));
  t.deepEqual(
    engineMetricValues(parsePrometheusText(kept), ENGINE_METRICS_PRESETS.vllm),
    engineMetricValues(parsePrometheusText(VLLM), ENGINE_METRICS_PRESETS.vllm),
  );
  const llama = presetLines(LLAMACPP, ENGINE_METRICS_PRESETS.llamacpp);
  t.deepEqual(
    engineMetricValues(parsePrometheusText(llama), ENGINE_METRICS_PRESETS.llamacpp),
    engineMetricValues(parsePrometheusText(LLAMACPP), ENGINE_METRICS_PRESETS.llamacpp),
  );
});

test('an older vLLM reporting vllm:gpu_cache_usage_perc is read through the alias, under its own name', (t) => {
  const old = VLLM.replaceAll('vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc');
  const values = engineMetricValues(parsePrometheusText(old), ENGINE_METRICS_PRESETS.vllm);
  t.deepEqual(values.find((v) => v.metric === 'vllm:gpu_cache_usage_perc'), { metric: 'vllm:gpu_cache_usage_perc', value: 0.4189453125, type: 'gauge' });
});

test('real llama-server page: the llama.cpp preset reads its gauges and counters', (t) => {
  const values = Object.fromEntries(engineMetricValues(parsePrometheusText(LLAMACPP), ENGINE_METRICS_PRESETS.llamacpp).map((v) => [v.metric, v.value]));
  t.deepEqual(values, {
    'llamacpp:requests_processing': 0,
    'llamacpp:requests_deferred': 0,
    'llamacpp:n_busy_slots_per_decode': 1,
    // llama-server averages these since the previous /metrics call; this capture was the second call in a row.
    'llamacpp:prompt_tokens_seconds': 0,
    'llamacpp:predicted_tokens_seconds': 0,
    'llamacpp:prompt_tokens_total': 98,
    'llamacpp:tokens_predicted_total': 15,
    'llamacpp:n_decode_total': 15,
  });
});

test('the engine behind a URL is recognised from its metric names', (t) => {
  t.is(detectPreset(parsePrometheusText(VLLM))?.engine, 'vllm');
  t.is(detectPreset(parsePrometheusText(LLAMACPP))?.engine, 'llamacpp');
  t.is(detectPreset(parsePrometheusText('tgi_queue_size 3\ntgi_batch_current_size 8\n'))?.engine, 'tgi');
  t.is(detectPreset(parsePrometheusText('sglang:num_running_reqs{model_name="m"} 5\n'))?.engine, 'sglang');
  t.is(detectPreset(parsePrometheusText('process_cpu_seconds_total 3\n')), undefined);
});

const urls = test.macro((t, setting: string, engine: Parameters<typeof serverMetricsUrl>[1], base: string | undefined, expected: unknown) => {
  t.deepEqual(serverMetricsUrl(setting, engine, base), expected);
});
test('auto: base URL + /metrics', urls, 'auto', 'vllm', 'http://gpu:8000', { url: 'http://gpu:8000/metrics' });
test('auto: an OpenAI-style /v1 base URL loses its /v1', urls, 'auto', 'openai', 'http://gpu:8000/v1/', { url: 'http://gpu:8000/metrics' });
test('auto: Ollama has none', urls, 'auto', 'ollama', 'http://h:11434', { off: 'Ollama has no Prometheus /metrics endpoint' });
test('auto without a base URL: off, silently', urls, 'auto', undefined, undefined, { off: undefined });
test('explicit URL wins', urls, 'http://h:9000/metrics', 'tgi', 'http://h:3000', { url: 'http://h:9000/metrics' });
test('off', urls, 'off', 'vllm', 'http://h:8000', { off: undefined });

test('--server-metrics auto against a vLLM-format server: engine_metric points each tick, counters summarised', async (t) => {
  const server = await startTextServer({ '/metrics': VLLM });
  t.teardown(() => server.close());
  const clock = new ManualClock(2_000_000);
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({
    runId: 'r1', clock, gpu: 'off', hostMetrics: false, clientProcess: false,
    engine: 'vllm', engineBaseUrl: `${server.url}/v1`, serverMetrics: 'auto',
  });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  await waitFor(() => points.length === 7, 'first scrape');
  server.routes.set('/metrics', { status: 200, body: VLLM.replace('vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0', 'vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 9.0').replace('} 5376.0', '} 6000.0') });
  await clock.advanceTo(2_001_000);
  await waitFor(() => points.length === 14, 'second scrape');
  const summary = await monitor.stop();

  t.deepEqual(notices, [`Server metrics: scraping ${server.url}/metrics (vllm preset, 7 metrics found)`]);
  const running = points.filter((p) => p.tags.metric === 'vllm:num_requests_running');
  t.deepEqual(running, [
    { measurement: 'engine_metric', tags: { run_id: 'r1', engine: 'vllm', metric: 'vllm:num_requests_running' }, fields: { value: 3 }, time_ms: 2_000_000 },
    { measurement: 'engine_metric', tags: { run_id: 'r1', engine: 'vllm', metric: 'vllm:num_requests_running' }, fields: { value: 11 }, time_ms: 2_001_000 },
  ]);
  const generated = summary.series.find((s) => s.tags.metric === 'vllm:generation_tokens_total')!;
  t.like(generated.fields.value, { first: 10624, last: 11248, count: 2 }); // 624 tokens generated between the scrapes
  t.is(summary.samplers['Server metrics']?.failures, 0);
});

test('an unreachable metrics URL: one notice, quiet retries counted each interval, and one line when it answers', async (t) => {
  const port = await freePort();
  const clock = new ManualClock(3_000_000);
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({
    runId: 'r1', clock, gpu: 'off', hostMetrics: false, clientProcess: false, engine: 'vllm',
    serverMetrics: `http://127.0.0.1:${port}/metrics`,
  });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  await waitFor(() => summaryFailures(monitor) === 1, 'the first failed scrape');
  for (let k = 1; k <= 3; k++) {
    await clock.advanceTo(3_000_000 + k * 1000);
    await waitFor(() => summaryFailures(monitor) === k + 1, `failed scrape ${k + 1}`);
  }
  t.is(notices.length, 1);
  t.regex(notices[0]!, new RegExp(`^Server metrics: http://127\\.0\\.0\\.1:${port}/metrics unreachable: .*ECONNREFUSED.*; retrying each interval quietly$`));

  const server = await startTextServer({ '/metrics': VLLM }, port);
  t.teardown(() => server.close());
  await clock.advanceTo(3_004_000);
  await waitFor(() => points.length > 0, 'a scrape after the server came up');
  const summary = await monitor.stop();
  t.is(notices[1], 'Server metrics: answering again after 4 failed samples');
  t.is(summary.samplers['Server metrics']?.failures, 4);
  t.is(summary.samplers['Server metrics']?.samples, 1);
  t.regex(summary.samplers['Server metrics']?.last_error ?? '', /ECONNREFUSED/);
});

function summaryFailures(monitor: ReturnType<typeof createMonitor>): number {
  return monitor.samplerReports()['Server metrics']?.failures ?? 0;
}
