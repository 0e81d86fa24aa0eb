/**
 * Headless Chromium from Debian (/usr/bin/chromium, or $LLMBENCH_CHROMIUM) driven by playwright-core, for the
 * report.html tests. Each page is opened from a file:// URL with every request observed: the only request a
 * self-contained report may make is for the file itself. Never downloads a browser.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecutionContext, TestFn } from 'ava';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.LLMBENCH_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Whether the browser tests can run. Without Chromium they skip with the reason said, except under CI=true,
 * where a missing browser is a failure (CI installs Debian's chromium; a skip there would hide that it did not).
 */
export function browserAvailability(): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { ok: true };
  return { ok: false, reason: `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set LLMBENCH_CHROMIUM)` };
}

/** `test` for browser tests: the real one, a skip with the reason, or under CI a failing test. */
export function browserTest(test: TestFn): (title: string, body: (t: ExecutionContext) => Promise<void>) => void {
  const availability = browserAvailability();
  if (availability.ok) return (title, body) => test.serial(title, body);
  if (process.env.CI === 'true') {
    return (title) => test(title, (t) => t.fail(`CI=true and ${availability.reason}`));
  }
  console.log(`skipping browser tests: ${availability.reason}`);
  return (title) => test.skip(`${title} (skipped: ${availability.reason})`, () => undefined);
}

export interface OpenedPage {
  readonly page: Page;
  readonly url: string;
  /** Every request the page made, in order (URLs). */
  readonly requests: string[];
  /** console errors and warnings, and uncaught page errors. */
  readonly problems: string[];
  /** From navigation start to the load event and to the charts being drawn, as the browser measured them. */
  readonly timing: { readonly loadEventMs: number; readonly chartsDrawnMs: number };
  close(): Promise<void>;
}

/** Writes `html` to a fresh folder and opens it in a fresh browser profile; waits for the charts unless told not to (a page without them). */
export async function openReport(html: string, options: { readonly waitForCharts?: boolean; readonly viewport?: { width: number; height: number } } = {}): Promise<OpenedPage> {
  const viewport = options.viewport ?? { width: 1280, height: 900 };
  const folder = mkdtempSync(join(tmpdir(), 'llmbench-report-'));
  const file = join(folder, 'report.html');
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const profile = mkdtempSync(join(tmpdir(), 'llmbench-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS, viewport });
    const page = context.pages()[0] ?? (await context.newPage());
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Anything but the file itself is refused before it leaves the browser (and counted above).
    await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url, { waitUntil: 'load' });
    if (options.waitForCharts !== false) await page.waitForFunction(() => document.documentElement.hasAttribute('data-charts-drawn'), undefined, { timeout: 30_000 });
    const timing = await page.evaluate(() => {
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { loadEventMs: navigation?.loadEventEnd ?? Number.NaN, chartsDrawnMs: Number(document.documentElement.getAttribute('data-charts-drawn-ms')) };
    });
    const opened = context;
    return {
      page,
      url,
      requests,
      problems,
      timing,
      close: async () => {
        await opened.close();
        rmSync(profile, { recursive: true, force: true });
        rmSync(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

export interface CanvasInk {
  readonly chart: string;
  readonly width: number;
  readonly height: number;
  /** Pixels that are not background (transparent or white). */
  readonly inked: number;
  /** Per series colour of the chart: pixels within a few levels of it. */
  readonly seriesPixels: Record<string, number>;
}

/**
 * For every drawn chart: its canvas size, how many pixels carry ink, and how many pixels have each of the
 * chart's series colours (or `extraColors`) — read back from the canvas itself.
 */
export async function canvasInk(page: Page, extraColors: readonly string[] = []): Promise<CanvasInk[]> {
  // A string, not a function: tsx would wrap a function's named inner functions in a helper the page lacks.
  return page.evaluate<CanvasInk[]>(`(${INK_SCRIPT})(${JSON.stringify(extraColors)})`);
}

const INK_SCRIPT = `(extra) => {
  const parse = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return Array.from(document.querySelectorAll('[data-chart]')).map((element) => {
    const canvas = element.querySelector('canvas');
    const colors = [...(element.dataset.seriesColors || '').split(' ').filter(Boolean), ...extra];
    const seriesPixels = Object.fromEntries(colors.map((color) => [color, 0]));
    const chart = element.dataset.chart || '?';
    if (!canvas || canvas.width === 0 || canvas.height === 0) return { chart, width: 0, height: 0, inked: 0, seriesPixels };
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const targets = colors.map((color) => [color, parse(color)]);
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2], a = pixels[i + 3];
      if (a === 0 || (r > 250 && g > 250 && b > 250)) continue;
      inked++;
      if (a < 250) continue;
      for (const [color, [tr, tg, tb]] of targets) {
        if (Math.abs(r - tr) <= 6 && Math.abs(g - tg) <= 6 && Math.abs(b - tb) <= 6) seriesPixels[color]++;
      }
    }
    return { chart, width: canvas.width, height: canvas.height, inked, seriesPixels };
  });
}`;

export interface ScreenshotInk {
  readonly width: number;
  readonly height: number;
  /** Share of pixels that are neither the page's background (its commonest colour) nor white. */
  readonly inkShare: number;
  /** Pixels within a few levels of each colour asked for. */
  readonly colorPixels: Record<string, number>;
}

/** Decodes a PNG screenshot in a blank page of the same browser and counts what is drawn in it. */
export async function screenshotInk(opened: OpenedPage, png: Buffer, colors: readonly string[]): Promise<ScreenshotInk> {
  const page = await opened.page.context().newPage();
  try {
    await page.setContent('<!doctype html><title>decode</title>');
    return await page.evaluate<ScreenshotInk>(`(${DECODE_SCRIPT})(${JSON.stringify(png.toString('base64'))}, ${JSON.stringify(colors)})`);
  } finally {
    await page.close();
  }
}

const DECODE_SCRIPT = `async (base64, colors) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + base64;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = new Map();
  for (let i = 0; i < pixels.length; i += 4) {
    const key = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  let background = 0, most = -1;
  for (const [key, count] of counts) if (count > most) { most = count; background = key; }
  const targets = colors.map((color) => [color, [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16))]);
  const colorPixels = Object.fromEntries(colors.map((color) => [color, 0]));
  let ink = 0;
  const total = pixels.length / 4;
  for (const [key, count] of counts) {
    const r = key >> 16, g = (key >> 8) & 255, b = key & 255;
    if (key !== background && key !== 0xffffff) ink += count;
    for (const [color, [tr, tg, tb]] of targets) {
      if (Math.abs(r - tr) <= 6 && Math.abs(g - tg) <= 6 && Math.abs(b - tb) <= 6) colorPixels[color] += count;
    }
  }
  return { width: canvas.width, height: canvas.height, inkShare: ink / total, colorPixels };
}`;
