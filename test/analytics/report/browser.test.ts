/**
 * report.html in a real browser: Debian's Chromium, headless, driven by playwright-core. The page must load
 * with no console error and no request but for the file itself, and every chart must be drawn: its canvas has
 * a size and, read back pixel by pixel, ink in each of its series' colours and the marks' colours.
 * Without Chromium these skip with the reason; under CI=true they fail (helpers/browser.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { MARK_COLORS, PALETTE, type ChartSpec } from '../../../analytics/report/chart-spec.js';
import { BASE_COLOR, CAND_COLOR, renderCompareHtml } from '../../../analytics/report/compare-html.js';
import { renderHtmlReport } from '../../../analytics/report/html.js';
import { browserTest, canvasInk, openReport, screenshotInk, type OpenedPage } from './helpers/browser.js';
import { chartData } from './helpers/chart-data.js';
import { syntheticComparison } from './helpers/synthetic-comparison.js';
import { syntheticRun } from './helpers/synthetic-run.js';

const browser = browserTest(test);
const HOSTILE = '</script><script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">';

async function open(t: ExecutionContext, html: string, waitForCharts = true): Promise<OpenedPage> {
  const opened = await openReport(html, { waitForCharts });
  t.teardown(() => opened.close());
  return opened;
}

/** Saves a screenshot where LLMBENCH_SCREENSHOT_DIR says (for a person to look at); tests never need it. */
function keep(t: ExecutionContext, name: string, png: Buffer): void {
  const dir = process.env.LLMBENCH_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), png);
  t.log(`screenshot: ${join(dir, name)}`);
}

/** Series that must show: those with a value above zero (a bar of height 0 draws nothing). */
function visibleSeries(chart: ChartSpec): string[] {
  return chart.series.filter((series, index) => series.bars !== true || chart.data[index + 1]!.some((value) => value !== null && value > 0)).map((series) => series.color);
}

const run = syntheticRun({ requests: 3000, durationS: 120, errorShare: 0.01, model: HOSTILE });
const runHtml = renderHtmlReport(run.result, run.data);

browser('a run report loads with no console error, makes no request but for itself, and runs no injected script', async (t) => {
  const opened = await open(t, runHtml);
  t.deepEqual(opened.requests, [opened.url]);
  t.deepEqual(opened.problems, []);
  t.is(await opened.page.evaluate('window.__owned'), undefined);
  t.true((await opened.page.textContent('header.top'))!.includes('</script><script>window.__owned = 1</script>'), 'the name shows as text');
});

browser('every chart is drawn: a canvas with a size and, in its pixels, each series’ colour and the marks', async (t) => {
  const opened = await open(t, runHtml);
  const { charts } = chartData(runHtml);
  t.is(charts.length, 16);
  t.is(await opened.page.getAttribute('html', 'data-charts-drawn'), String(charts.length));
  const ink = await canvasInk(opened.page, [MARK_COLORS.anomaly, MARK_COLORS.knee, MARK_COLORS.slo, MARK_COLORS.stage]);
  t.deepEqual(ink.map((canvas) => canvas.chart), charts.map((chart) => chart.id));
  for (const [index, canvas] of ink.entries()) {
    const chart = charts[index]!;
    t.true(canvas.width > 200 && canvas.height > 150, `${chart.id}: ${canvas.width}×${canvas.height}`);
    t.true(canvas.inked > 2000, `${chart.id}: ${canvas.inked} inked pixels`);
    for (const color of visibleSeries(chart)) t.true(canvas.seriesPixels[color]! >= 30, `${chart.id}: ${canvas.seriesPixels[color]} pixels of ${color}`);
  }
  const marks = (id: string) => ink.find((canvas) => canvas.chart === id)!.seriesPixels;
  for (const id of ['timeline-rps', 'timeline-latency', 'resources-gpu']) {
    t.true(marks(id)[MARK_COLORS.anomaly]! >= 30, `${id}: anomaly marks`);
    t.true(marks(id)[MARK_COLORS.stage]! >= 30, `${id}: stage starts`);
  }
  t.true(marks('scaling-latency')[MARK_COLORS.knee]! >= 30, 'the knee');
  t.true(marks('scaling-latency')[MARK_COLORS.slo]! >= 30, 'the SLO line');
  t.is(marks('timeline-output-tps')[MARK_COLORS.knee], 0, 'no knee on the timeline: the colour check can tell marks apart');
});

browser('screenshot: the page shows charts and tables; the same check fails on a blank page', async (t) => {
  const opened = await open(t, runHtml);
  const png = await opened.page.screenshot({ fullPage: true });
  keep(t, 'report-synthetic.png', png);
  const shot = await screenshotInk(opened, png, [PALETTE[0], PALETTE[1], PALETTE[2]]);
  const looksDrawn = (ink: typeof shot) => ink.inkShare > 0.04 && [PALETTE[0], PALETTE[1], PALETTE[2]].every((color) => ink.colorPixels[color]! > 500);
  t.true(shot.height > 3000, `a long page: ${shot.width}×${shot.height}`);
  t.true(looksDrawn(shot), JSON.stringify(shot));

  const blank = await open(t, '<!doctype html><title>blank</title><body style="background:#f6f7f9"></body>', false);
  const blankShot = await screenshotInk(blank, await blank.page.screenshot({ fullPage: true }), [PALETTE[0], PALETTE[1], PALETTE[2]]);
  t.false(looksDrawn(blankShot), JSON.stringify(blankShot));
});

browser('the compare page: both sides drawn in every overlay, no console error, no request', async (t) => {
  const { comparison, base, cand } = syntheticComparison({ repeats: 2 });
  const html = renderCompareHtml(comparison, base, cand);
  const opened = await open(t, html);
  t.deepEqual(opened.requests, [opened.url]);
  t.deepEqual(opened.problems, []);
  const ink = await canvasInk(opened.page);
  t.is(ink.length, chartData(html).charts.length);
  for (const canvas of ink) {
    t.true(canvas.seriesPixels[BASE_COLOR]! >= 30, `${canvas.chart}: base ${canvas.seriesPixels[BASE_COLOR]}`);
    t.true(canvas.seriesPixels[CAND_COLOR]! >= 30, `${canvas.chart}: candidate ${canvas.seriesPixels[CAND_COLOR]}`);
  }
  keep(t, 'compare-synthetic.png', await opened.page.screenshot({ fullPage: true }));
});

browser('100 000 requests: a file of a few MB that the browser draws (size and load time logged)', async (t) => {
  const big = syntheticRun({ requests: 100_000, durationS: 3600, errorShare: 0.005 });
  const html = renderHtmlReport(big.result, big.data);
  const bytes = Buffer.byteLength(html);
  t.log(`100 000 requests, 3 600 s, ${big.data.windows.length} windows: report.html is ${(bytes / 1024).toFixed(0)} KiB`);
  t.true(bytes < 5 * 1024 * 1024, `${bytes} bytes`);
  for (const chart of chartData(html).charts) t.true(chart.data[0]!.length <= 2000, `${chart.id}: ${chart.data[0]!.length} points`);
  const opened = await open(t, html);
  t.deepEqual(opened.problems, []);
  t.deepEqual(opened.requests, [opened.url]);
  t.is(await opened.page.getAttribute('html', 'data-charts-drawn'), String(chartData(html).charts.length));
  t.log(`in Chromium: load event at ${opened.timing.loadEventMs.toFixed(0)} ms, every chart drawn at ${opened.timing.chartsDrawnMs.toFixed(0)} ms after navigation began`);
  keep(t, 'report-100k.png', await opened.page.screenshot({ fullPage: true }));
});
