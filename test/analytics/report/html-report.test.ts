/** report.html as text (no browser): self-contained, escaped, and carrying every section and chart. */
import test from 'ava';
import { renderHtmlReport } from '../../../analytics/report/html.js';
import { renderMarkdownReport } from '../../../analytics/report/markdown.js';
import { CONTENT_SECURITY_POLICY } from '../../../analytics/report/html-page.js';
import { RunDataBuilder } from '../../../analytics/run-data.js';
import { chartData } from './helpers/chart-data.js';
import { syntheticRun } from './helpers/synthetic-run.js';

const HOSTILE = '</script><script>window.__owned=1</script><img src=x onerror=alert(1)>';

test('self-contained: no external script, style, image or link; a CSP that forbids every fetch; uPlot inline', (t) => {
  const { result, data } = syntheticRun({ requests: 600, durationS: 30 });
  const html = renderHtmlReport(result, data);
  t.true(html.startsWith('<!doctype html>'));
  t.false(/<script[^>]+src=/i.test(html));
  t.false(/<link\b/i.test(html));
  t.false(/<img\b/i.test(html));
  t.false(/url\(\s*['"]?(https?:)?\/\//i.test(html), 'no remote CSS url()');
  t.true(html.includes(`content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}"`));
  t.regex(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  t.regex(html, /\/\*! uPlot 1\.\d+\.\d+, inlined from the npm package/);
  t.regex(html, /var uPlot=function\(\)/);
  t.regex(html, /The MIT License/);
});

test('a hostile model name stays text: it never appears raw, in the markup or in the chart data', (t) => {
  const { result, data } = syntheticRun({ requests: 600, durationS: 30, model: HOSTILE });
  const html = renderHtmlReport({ ...result, scenario: { name: HOSTILE } }, data);
  t.false(html.includes(HOSTILE));
  t.false(html.includes('<script>window.__owned'));
  t.false(html.includes('<img src=x'));
  t.true(html.includes('&lt;/script&gt;&lt;script&gt;window.__owned=1&lt;/script&gt;'));
  // Exactly the three script elements the page has: data, uPlot, its own.
  t.is(html.match(/<script\b/gi)?.length, 3);
  t.is(html.match(/<\/script>/gi)?.length, 3);
});

test('every report.md section is in the page, under the same title', (t) => {
  const { result, data } = syntheticRun({ requests: 600, durationS: 30, errorShare: 0.02 });
  const html = renderHtmlReport(result, data);
  const titles = renderMarkdownReport(result).split('\n').filter((line) => /^#{2,3} /.test(line)).map((line) => line.replace(/^#+ /, ''));
  t.true(titles.length >= 12);
  for (const title of titles) t.true(html.includes(`>${title.replace(/'/g, '&#39;')}</h`), title);
});

test('the chart data: a CDF per latency metric, the timeline (no errors chart without errors), scaling, resources, with the analysis’ marks', (t) => {
  const { result, data } = syntheticRun({ requests: 600, durationS: 30 });
  const { charts } = chartData(renderHtmlReport(result, data));
  t.deepEqual(charts.map((chart) => chart.id), [
    'cdf-ttft_ms',
    'cdf-itl_ms',
    'cdf-tpot_ms',
    'cdf-total_duration_ms',
    'timeline-output-tps',
    'timeline-rps',
    'timeline-in-flight',
    'timeline-latency',
    'scaling-throughput',
    'scaling-latency',
    'resources-gpu',
    'resources-gpu-power',
    'resources-cpu',
    'resources-memory',
    'resources-engine',
  ]);
  const html = renderHtmlReport(result, data);
  for (const chart of charts) t.true(html.includes(`data-chart="${chart.id}"`), `a place for ${chart.id}`);
  const latency = charts.find((chart) => chart.id === 'scaling-latency')!;
  t.true(latency.marks.some((mark) => mark.kind === 'hline' && mark.label.startsWith('SLO')));
  t.true(charts.find((chart) => chart.id === 'timeline-latency')!.marks.some((mark) => mark.label.startsWith('A1 ')));
});

test('a run with no requests, windows or samples still renders, saying what it could not draw', (t) => {
  const { result } = syntheticRun({ requests: 60, durationS: 6 });
  const html = renderHtmlReport({ ...result, analysis: undefined }, new RunDataBuilder().build());
  t.deepEqual(chartData(html).charts, []);
  t.regex(html, /No successful requests: no distribution to draw\./);
  t.regex(html, /No 1 s windows were recorded\./);
  t.regex(html, /No resource samples to draw\./);
});
