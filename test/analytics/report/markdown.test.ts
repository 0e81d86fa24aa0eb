import test from 'ava';
import { renderMarkdownReport } from '../../../analytics/report/markdown.js';
import { markdownTable } from '../../../analytics/report/markdown-blocks.js';
import { runReport } from '../../../analytics/report/run-report.js';
import { plainText } from '../../../analytics/report/report-document.js';
import { syntheticRun } from './helpers/synthetic-run.js';

const run = syntheticRun({ requests: 1200, durationS: 60, errorShare: 0.01 });

test('report.md has the run sections, then resources and analysis', (t) => {
  const md = renderMarkdownReport(run.result);
  const headings = md.split('\n').filter((line) => line.startsWith('## ')).map((line) => line.slice(3));
  t.deepEqual(headings, ['Requests and throughput', 'Metrics', 'Stages', 'Thresholds', 'Client health', 'Resources', 'Analysis']);
  t.regex(md, /^# llmbench run synthetic-run$/m);
});

test('the resources section: each series’ fields with units, counters as their change, GPU energy, notices', (t) => {
  const md = renderMarkdownReport(run.result);
  const resources = md.slice(md.indexOf('## Resources'), md.indexOf('## Analysis'));
  t.regex(resources, /Sampled every 1000 ms: 60 ticks, 0 missed\./);
  t.regex(resources, /\| GPU 0 \(NVIDIA H200\) on bench-host \| util_pct \| 60 \| [\d.]+ % \| [\d.]+ % \| [\d.]+ % \| - \|/);
  t.regex(resources, /\| host bench-host \| mem_used_bytes \| 60 \| [\d.]+ GiB \|/);
  t.regex(resources, /\| vllm:kv_cache_usage_perc \| value \| 60 \|/);
  t.regex(resources, /GPU energy: [\d.]+ J in all \(GPU 0 NVIDIA H200: [\d.]+ J over 59\.0+ s, from its power-integral\)/);
  t.regex(resources, /- Server metrics: scraping/);
});

test('the analysis section: recommendations, scores with formulas, levels and knee, SLO, anomalies, correlations', (t) => {
  const md = renderMarkdownReport(run.result);
  const analysis = md.slice(md.indexOf('## Analysis'));
  t.regex(analysis, /- Saturates at 8 concurrent users; beyond it TTFT p95 ×4\.2 for \+3\.1 % throughput\./);
  t.regex(analysis, /\| predictability \| 71 \/ 100 \| 100 × clamp\(1 − \(p99\/p50 − 1\)\/4\) × clamp\(1 − cv\) \| tail_ratio 2\.10, cv 0\.310 \|/);
  t.regex(analysis, /\*\*Knee\*\*: level 8 \([\d.]+ req\/s\); at the highest level measured \(32\), ttft_ms p95 is ×4\.20 the knee's for 3\.10 % more throughput\. Found by Kneedle/);
  t.regex(analysis, /At most 8 concurrent users meet ttft_ms:p95<900/);
  t.regex(analysis, /interpolated crossing: 11\.00 \(95 % CI 9\.00 – 13\.00\)/);
  t.regex(analysis, /\| A1 \| ttft_p50_ms \| change point \| \+40\.0 s \(10:00:40\.000Z\) \| - \| 240\.0 \| 480\.0 \| \+100\.0 % \| < 0\.001 \|/);
  t.regex(analysis, /\| A2 \| output_tps \| outlier \| \+22\.0 s \(10:00:22\.000Z\) \| \+26\.0 s \(10:00:26\.000Z\) \| 900\.0 \| 300\.0 \| -66\.70 % \| - \|/);
  t.regex(analysis, /\| gpu util_pct \| output_tps \| 0\.930 \|/);
  // Six levels, one row each.
  t.is(analysis.match(/^\| \d+ \| concurrency \| c=\d+ \|/gm)?.length, 6);
});

test('a run without analysis says so; an empty analysis says what it did not find', (t) => {
  const { analysis: _analysis, ...rest } = run.result;
  t.regex(renderMarkdownReport(rest), /run\.json has no analysis/);
  const empty = renderMarkdownReport({
    ...run.result,
    analysis: { scaling: { levels: [], knee: null }, slo: null, anomalies: [], correlations: [], scores: { predictability: null, responsiveness: null }, recommendations: [], methods: {} },
  });
  t.regex(empty, /### Anomalies\n\nNone found in the 1 s windows\./);
  t.regex(empty, /### Scaling\n\nNo load levels were measured\./);
  const { resources: _resources, ...withoutResources } = run.result;
  t.regex(renderMarkdownReport(withoutResources), /## Resources\n\nNo resources were sampled/);
});

test('markdown table cells escape pipes and newlines', (t) => {
  t.deepEqual(markdownTable({ headers: ['a|b', 'n'], align: ['left', 'right'], rows: [['x|y\nz', '1']] }), ['| a\\|b | n |', '|---|---:|', '| x\\|y z | 1 |']);
});

test('the report document is the same data for both formats: section ids are unique', (t) => {
  const report = runReport(run.result);
  const ids = report.sections.map((section) => section.id);
  t.is(new Set(ids).size, ids.length);
  t.true(report.overview.map(plainText).some((line) => line.includes('sim-model')));
});
