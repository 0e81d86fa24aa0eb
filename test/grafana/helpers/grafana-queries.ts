/**
 * The committed dashboards, every Flux query in them (panel targets, template variables, annotations), and
 * what Grafana does to a query before InfluxDB sees it:
 * 1. the template service renders `$name`, `${name}` and `${name:format}` (public/app/features/templating):
 *    a multi-value without a format becomes a glob `{a,b}`, `:json` a JSON array (a Flux array literal);
 * 2. the InfluxDB backend rewrites `word.timeRangeStart`, `word.timeRangeStop`, `word.windowPeriod`,
 *    `word.bucket`, `word.defaultBucket` and `word.organization`, whatever the word, into literals, and
 *    `$__interval`, `$__interval_ms` (pkg/tsdb/influxdb/flux/macros.go).
 * Only the formats the dashboards may use are rendered; any other is an error, so a new one needs a look here.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const DASHBOARD_DIR = new URL('../../../grafana/dashboards/', import.meta.url);

export interface DashboardFile {
  readonly file: string;
  readonly text: string;
  readonly json: DashboardJson;
}

export interface VariableJson {
  readonly type: string;
  readonly name: string;
  readonly query?: unknown;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly datasource?: unknown;
  readonly options?: ReadonlyArray<{ readonly value: string }>;
}

export interface PanelJson {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: unknown;
  readonly targets?: ReadonlyArray<{ readonly refId: string; readonly query?: string; readonly datasource?: unknown }>;
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: unknown }; readonly overrides?: ReadonlyArray<{ readonly properties: ReadonlyArray<{ readonly id: string; readonly value: unknown }> }> };
  readonly panels?: readonly PanelJson[];
}

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly PanelJson[];
  readonly templating: { readonly list: readonly VariableJson[] };
  readonly annotations: { readonly list: ReadonlyArray<{ readonly name: string; readonly builtIn?: number; readonly datasource?: unknown; readonly target?: { readonly query?: string; readonly datasource?: unknown } }> };
}

export function committedDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, DASHBOARD_DIR), 'utf8');
      return { file, text, json: JSON.parse(text) as DashboardJson };
    });
}

/** Panels, with those inside collapsed rows. */
export function allPanels(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

export interface DashboardQuery {
  /** Where it is, for failure messages: `live-run.json panel 3 "Title" A`. */
  readonly where: string;
  readonly query: string;
}

export function dashboardQueries(file: DashboardFile): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const panel of allPanels(file.json)) {
    for (const target of panel.targets ?? []) {
      queries.push({ where: `${file.file} panel ${panel.id} "${panel.title}" ${target.refId}`, query: target.query ?? '' });
    }
  }
  for (const variable of file.json.templating.list) {
    if (variable.type === 'query') queries.push({ where: `${file.file} variable ${variable.name}`, query: String(variable.query) });
  }
  for (const annotation of file.json.annotations.list) {
    if (annotation.target) queries.push({ where: `${file.file} annotation "${annotation.name}"`, query: annotation.target.query ?? '' });
  }
  return queries;
}

const REFERENCE = /\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]/g;

export interface VariableReference {
  readonly name: string;
  readonly format: string | undefined;
}

/** Every `$name`, `${name}`, `${name:format}` (and the old `[[name]]`) in a query, in order. */
export function variableReferences(query: string): VariableReference[] {
  return [...query.matchAll(REFERENCE)].map((m) => ({ name: m[1] ?? m[3] ?? m[4]!, format: m[2] ?? m[5] }));
}

export type VariableValue = string | readonly string[];

/** Grafana's template service, for the raw (no format) and json formats. */
export function renderVariables(query: string, values: Readonly<Record<string, VariableValue>>): string {
  return query.replace(REFERENCE, (whole, braced?: string, format?: string, plain?: string, bracket?: string, bracketFormat?: string) => {
    const name = braced ?? plain ?? bracket!;
    const how = format ?? bracketFormat;
    if (name.startsWith('__')) return whole; // Grafana's own ($__interval): the backend fills those in
    const value = values[name];
    if (value === undefined) throw new Error(`no value for variable ${name} in:\n${query}`);
    if (how === 'json') return JSON.stringify(value);
    if (how !== undefined) throw new Error(`format :${how} of ${name} is not rendered by this helper`);
    if (typeof value === 'string') return value;
    return value.length === 1 ? value[0]! : `{${value.join(',')}}`;
  });
}

export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
  /** Go's time.Duration.String() of the interval, as Grafana writes it (e.g. "10s", "1m0s"). */
  readonly interval: string;
  readonly intervalMs: number;
  readonly bucket: string;
  readonly organization: string;
}

/** pkg/tsdb/influxdb/flux/macros.go: every `word.name` for these names is replaced, whatever the word. */
export function applyGrafanaFluxMacros(query: string, range: TimeRange): string {
  const replacement: Record<string, string> = {
    timeRangeStart: range.from.toISOString(),
    timeRangeStop: range.to.toISOString(),
    windowPeriod: range.interval,
    bucket: JSON.stringify(range.bucket),
    defaultBucket: JSON.stringify(range.bucket),
    organization: JSON.stringify(range.organization),
  };
  let flux = query;
  for (const match of query.matchAll(/([a-zA-Z]+)\.([a-zA-Z]+)/gm)) {
    if (Object.hasOwn(replacement, match[2]!)) flux = flux.replaceAll(match[0], replacement[match[2]!]!);
  }
  return flux.replaceAll('$__interval_ms', String(range.intervalMs)).replaceAll('$__interval', range.interval);
}

/** Grafana's `v` record as a Flux statement, placed after the query's imports (Flux wants imports first). */
export function withVPrelude(query: string, prelude: string): string {
  const imports = /^(?:\s*import\s+"[^"]+"\s*\n)*/.exec(query)?.[0] ?? '';
  return `${imports}${prelude}\n${query.slice(imports.length)}`;
}
