import test from 'ava';
import { request } from 'undici';
import type { Point } from '../../../pipeline/core/point.js';
import { startSimulator } from '../../../simulator/index.js';
import { createMonitor } from '../../../collectors/resources/monitor.js';

// DESIGN §7 / issue 6: `--server-metrics auto` against the simulator's vLLM dialect records
// vllm:num_requests_running, non-zero under load.
test('server metrics auto against the simulated vLLM: running requests and KV-cache use rise under load', async (t) => {
  const sim = await startSimulator({ engine: 'vllm', model: 'sim-model', seed: 7 });
  t.teardown(() => sim.close());
  const points: Point[] = [];
  const notices: string[] = [];
  const monitor = createMonitor({
    runId: 'r1',
    intervalMs: 100,
    gpu: 'off',
    hostMetrics: false,
    clientProcess: false,
    engine: 'vllm',
    engineBaseUrl: `${sim.url}/v1`,
    serverMetrics: 'auto',
  });
  await monitor.start({ runId: 'r1', onPoints: (batch) => points.push(...batch), onNotice: (line) => notices.push(line) });
  const generate = async () => {
    const response = await request(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-model', messages: [{ role: 'user', content: 'hello' }], max_tokens: 48, stream: true }),
    });
    await response.body.text();
  };
  await Promise.all(Array.from({ length: 16 }, generate));
  const summary = await monitor.stop();

  t.is(notices.length, 1);
  t.true(notices[0]!.startsWith(`Server metrics: scraping ${sim.url}/metrics (vllm preset, `), notices[0]);
  const running = points.filter((p) => p.tags.metric === 'vllm:num_requests_running').map((p) => p.fields.value as number);
  t.true(running.length >= 3, `${running.length} scrapes`);
  t.true(Math.max(...running) > 0, `running: ${running.join(' ')}`);
  const kv = points.filter((p) => p.tags.metric === 'vllm:kv_cache_usage_perc').map((p) => p.fields.value as number);
  t.true(Math.max(...kv) > 0);
  const generated = summary.series.find((s) => s.tags.metric === 'vllm:generation_tokens_total');
  t.true((generated?.fields.value?.last ?? 0) > (generated?.fields.value?.first ?? 0));
  t.is(summary.samplers['Server metrics']?.failures, 0);
});
