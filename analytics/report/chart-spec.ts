/**
 * What report.html hands its charts: plain data the page's script (client-script.ts) turns into uPlot charts.
 * Everything is computed here, in Node, and tested there; the page only draws.
 */

export interface ChartSeries {
  readonly label: string;
  /** CSS colour; also what the browser tests look for in the drawn pixels. */
  readonly color: string;
  /** 0: the left axis, 1: the right axis. */
  readonly axis: 0 | 1;
  readonly dash?: readonly number[];
  /** Draw as bars (counts per window) instead of a line. */
  readonly bars?: boolean;
  /** Mark each point (few points, e.g. measured levels). */
  readonly points?: boolean;
}

export interface ChartAxis {
  readonly label: string;
  readonly min?: number;
  readonly max?: number;
}

export type ChartMark =
  /** A vertical line at x (a stage start, the knee, an anomaly). */
  | { readonly kind: 'vline'; readonly x: number; readonly label: string; readonly color: string; readonly dash?: readonly number[] }
  /** A shaded span of x (an anomaly episode, an interval). */
  | { readonly kind: 'band'; readonly x0: number; readonly x1: number; readonly label: string; readonly color: string }
  /** A horizontal line at y on one axis (an SLO bound). */
  | { readonly kind: 'hline'; readonly y: number; readonly axis: 0 | 1; readonly label: string; readonly color: string; readonly dash?: readonly number[] };

export interface ChartSpec {
  /** Element id, unique in the page. */
  readonly id: string;
  readonly title: string;
  /** One line under the chart: what it shows and how it was prepared. */
  readonly note: string;
  /** `legend`: a short name for the legend's x value; `log`: a logarithmic x axis of that base. */
  readonly x: { readonly label: string; readonly legend?: string; readonly log?: 2 | 10; readonly min?: number; readonly max?: number };
  readonly axes: readonly [ChartAxis] | readonly [ChartAxis, ChartAxis];
  readonly series: readonly ChartSeries[];
  /** [xs, ys of series 0, ys of series 1, …], aligned; null where a series has no value. */
  readonly data: ReadonlyArray<ReadonlyArray<number | null>>;
  readonly marks: readonly ChartMark[];
  /** Charts with the same key move their cursors together (the timeline and resources share one). */
  readonly sync?: string;
  /** Plot height in CSS pixels (260 when absent). */
  readonly height?: number;
  /** Connect across nulls (series joined on a union of x values). */
  readonly spanGaps?: boolean;
}

/** Okabe–Ito colours (distinguishable with colour-blindness), then greys. */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#555555', '#8c6d31'] as const;

/** Mark colours, none of them a series colour. */
export const MARK_COLORS = {
  stage: '#9a9a9a',
  anomaly: '#d62728',
  knee: '#7b3294',
  slo: '#c51b7d',
  sloLimit: '#1a9850',
} as const;

export function paletteColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** At most this many x values per chart (timelines, resources). */
export const MAX_TIMELINE_POINTS = 2000;
