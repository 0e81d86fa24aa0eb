/**
 * The parts of Grafana's classic dashboard JSON model (schemaVersion 42, Grafana 12–13) that the llmbench
 * dashboards use, and small builders for them. Every panel and query points at the datasource through the
 * `${datasource}` variable, never a fixed uid, so the dashboards work with whatever InfluxDB datasource a
 * user picks; every panel states its unit.
 */

/** Grafana 13's current classic schema version; Grafana migrates older files on load, so older numbers would work too. */
export const SCHEMA_VERSION = 42;

/** The dashboards tag themselves with this, and link to each other by it. */
export const DASHBOARD_TAG = 'llmbench';

export const DATASOURCE = { type: 'influxdb', uid: '${datasource}' } as const;
export type DatasourceRef = typeof DATASOURCE;

export interface Target {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  /** The Flux text, with `${variable}` references that Grafana fills in before sending it. */
  readonly query: string;
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface FieldOverride {
  readonly matcher: { readonly id: 'byName'; readonly options: string };
  readonly properties: ReadonlyArray<{ readonly id: string; readonly value: unknown }>;
}

export interface Panel {
  id: number;
  gridPos: GridPos;
  readonly type: string;
  readonly title: string;
  readonly description: string;
  readonly datasource: DatasourceRef;
  readonly targets: readonly Target[];
  readonly fieldConfig: {
    readonly defaults: { readonly unit: string; readonly [key: string]: unknown };
    readonly overrides: readonly FieldOverride[];
  };
  readonly options: Readonly<Record<string, unknown>>;
  readonly interval?: string;
  readonly transformations?: readonly unknown[];
}

export type VariableOption = { readonly text: string; readonly value: string; readonly selected: boolean };

export interface DatasourceVariable {
  readonly type: 'datasource';
  readonly name: string;
  readonly label: string;
  readonly query: 'influxdb';
  readonly current: Readonly<Record<string, never>>;
  readonly hide: 0;
  readonly refresh: 1;
  readonly regex: '';
  readonly options: readonly [];
}

export interface QueryVariable {
  readonly type: 'query';
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly datasource: DatasourceRef;
  /** Flux; Grafana lists the first string column of the first table. */
  readonly query: string;
  readonly definition: string;
  /** 2: on time range change (run ids come and go with the range). */
  readonly refresh: 2;
  /** 1: alphabetical, 2: alphabetical descending (run ids sort by time, so 2 puts the newest first). */
  readonly sort: 1 | 2;
  readonly multi: boolean;
  readonly includeAll: boolean;
  readonly current: Readonly<Record<string, never>>;
  readonly hide: 0;
  readonly regex: '';
  readonly options: readonly [];
}

export interface CustomVariable {
  readonly type: 'custom';
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** Comma-separated values, as Grafana stores a custom variable. */
  readonly query: string;
  readonly multi: false;
  readonly includeAll: false;
  readonly current: VariableOption;
  readonly options: readonly VariableOption[];
  readonly hide: 0;
}

export type Variable = DatasourceVariable | QueryVariable | CustomVariable;

export interface Annotation {
  readonly name: string;
  readonly datasource: DatasourceRef | { readonly type: 'grafana'; readonly uid: '-- Grafana --' };
  readonly enable: boolean;
  readonly hide: boolean;
  readonly iconColor: string;
  readonly builtIn?: 1;
  readonly type?: 'dashboard';
  readonly target?: Target;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: 'browser';
  readonly editable: true;
  /** 1: shared crosshair, so panels stacked on one time axis line up under the mouse. */
  readonly graphTooltip: 0 | 1;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly schemaVersion: number;
  readonly version: 1;
  readonly links: readonly unknown[];
  readonly annotations: { readonly list: readonly Annotation[] };
  readonly templating: { readonly list: readonly Variable[] };
  readonly panels: readonly Panel[];
}

export function target(query: string, refId = 'A'): Target {
  return { refId, datasource: DATASOURCE, query };
}

/** The queries of one panel, lettered A, B, … in order. */
export function targets(...queries: string[]): Target[] {
  return queries.map((query, i) => target(query, String.fromCharCode(65 + i)));
}

export function unitOverride(column: string, unit: string): FieldOverride {
  return { matcher: { id: 'byName', options: column }, properties: [{ id: 'unit', value: unit }] };
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly string[];
  readonly overrides?: readonly FieldOverride[];
  readonly min?: number;
  readonly max?: number;
}

/** Position and id are set by `layout`. */
function panel(type: string, spec: PanelSpec, options: Record<string, unknown>, custom: Record<string, unknown> = {}, extra: Partial<Panel> = {}): Panel {
  const defaults: { unit: string; [key: string]: unknown } = { unit: spec.unit, custom };
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  return {
    id: 0,
    gridPos: { x: 0, y: 0, w: 12, h: 8 },
    type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    targets: targets(...spec.queries),
    fieldConfig: { defaults, overrides: spec.overrides ?? [] },
    options,
    ...extra,
  };
}

const LEGEND = { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] };
const TOOLTIP = { mode: 'multi', sort: 'none' };

/** Lines over time; `points: true` marks every sample (one per run on the trends dashboard). */
export function timeseries(spec: PanelSpec & { readonly points?: boolean; readonly bars?: boolean }): Panel {
  return panel(
    'timeseries',
    spec,
    { legend: LEGEND, tooltip: TOOLTIP },
    {
      drawStyle: spec.bars ? 'bars' : 'line',
      lineWidth: 1,
      fillOpacity: spec.bars ? 80 : 10,
      showPoints: spec.points ? 'always' : 'never',
      pointSize: 5,
      spanNulls: false,
    },
    // A panel never asks for finer than the 1 s windows the runs are cut into.
    { interval: '1s' },
  );
}

/** A numeric x axis instead of time (Grafana's trend panel): runs overlaid by seconds since their start. */
export function trend(spec: PanelSpec & { readonly xField: string }): Panel {
  // spanNulls: each run has a value only at its own window times.
  return panel('trend', spec, { xField: spec.xField, legend: LEGEND, tooltip: TOOLTIP }, { drawStyle: 'line', lineWidth: 1, showPoints: 'never', spanNulls: true });
}

export function table(spec: PanelSpec & { readonly sortBy?: string }): Panel {
  return panel('table', spec, { showHeader: true, cellHeight: 'sm', ...(spec.sortBy ? { sortBy: [{ displayName: spec.sortBy, desc: false }] } : {}) }, { align: 'auto' });
}

/** Bars per category (a sweep's levels), in the order the query returns them. */
export function barchart(spec: PanelSpec & { readonly xField: string }): Panel {
  return panel('barchart', spec, { xField: spec.xField, orientation: 'auto', showValue: 'auto', legend: LEGEND, tooltip: TOOLTIP }, { fillOpacity: 80, lineWidth: 1 });
}

/** One number per series (the last in the range), e.g. requests by status. */
export function stat(spec: PanelSpec): Panel {
  return panel('stat', spec, {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    colorMode: 'none',
    graphMode: 'none',
    textMode: 'value_and_name',
    justifyMode: 'auto',
    orientation: 'auto',
  });
}

/**
 * Rows of panels on Grafana's 24-column grid: each row's panels share its width equally and its height.
 * Sets `gridPos` and sequential ids.
 */
export function layout(rows: ReadonlyArray<{ readonly height: number; readonly panels: readonly Panel[] }>): Panel[] {
  const placed: Panel[] = [];
  let y = 0;
  let id = 1;
  for (const row of rows) {
    const width = Math.floor(24 / row.panels.length);
    row.panels.forEach((p, i) => {
      placed.push({ ...p, id: id++, gridPos: { x: i * width, y, w: width, h: row.height } });
    });
    y += row.height;
  }
  return placed;
}

/** Grafana's own annotations (alerts, hand-made notes), which every dashboard carries. */
export const BUILT_IN_ANNOTATION: Annotation = {
  builtIn: 1,
  name: 'Annotations & Alerts',
  datasource: { type: 'grafana', uid: '-- Grafana --' },
  enable: true,
  hide: true,
  iconColor: 'rgba(0, 211, 255, 1)',
  type: 'dashboard',
};

/** A dropdown to the other llmbench dashboards that keeps the time range and the variables. */
export const DASHBOARD_LINKS = [
  { title: 'llmbench', type: 'dashboards', tags: [DASHBOARD_TAG], asDropdown: true, includeVars: true, keepTime: true, targetBlank: false, icon: 'external link' },
];

export function dashboard(spec: {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh?: string;
  readonly variables: readonly Variable[];
  readonly rows: ReadonlyArray<{ readonly height: number; readonly panels: readonly Panel[] }>;
  readonly annotations?: readonly Annotation[];
}): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [DASHBOARD_TAG],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: spec.refresh ?? '',
    time: spec.time,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    links: DASHBOARD_LINKS,
    annotations: { list: [BUILT_IN_ANNOTATION, ...(spec.annotations ?? [])] },
    templating: { list: spec.variables },
    panels: layout(spec.rows),
  };
}
