/**
 * The Flux queries of analytics/flux/*.flux, parameterised the same way everywhere: the files refer to a
 * `params` record and the code prepends `params = {…}` built with the client's `flux` template, which
 * quotes and escapes every value (no string concatenation of user input into Flux). Numbers are passed as
 * Flux floats (the client would turn a whole number into an int, and `quantile(q: 1)` would not type-check).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { flux, fluxExpression, fluxFloat, type ParameterizedQuery } from '@influxdata/influxdb-client';
import { AnalyticsError } from '../pipeline/core/errors.js';

export const FLUX_QUERIES = ['run-requests', 'run-tokens', 'run-summary', 'run-windows', 'run-resources', 'trend-runs', 'metric-percentiles', 'scenario-trend', 'compare-runs'] as const;
export type FluxQueryName = (typeof FLUX_QUERIES)[number];

export type FluxParamValue = string | number | boolean | Date;
export type FluxParams = Readonly<Record<string, FluxParamValue>>;

const PARAM_KEY = /^[a-z_][a-z0-9_]*$/;

/** `params = {…}` as Flux source, every value escaped by the client's `flux` template. */
export function fluxParams(params: FluxParams): string {
  const entries = Object.entries(params).map(([key, value]) => {
    if (!PARAM_KEY.test(key)) throw new AnalyticsError('INTERNAL', `Flux parameter name ${JSON.stringify(key)} is not an identifier`);
    const literal = typeof value === 'number' ? fluxFloat(value) : value;
    return flux`${fluxExpression(key)}: ${literal}`.toString();
  });
  return `params = {${entries.join(', ')}}\n`;
}

/** The query `name` with its parameters prepended, ready for QueryApi. */
export function buildFluxQuery(name: FluxQueryName, params: FluxParams): ParameterizedQuery {
  return fluxExpressionQuery(fluxParams(params) + readFluxFile(name));
}

/** The text of analytics/flux/<name>.flux (works from the sources and from dist/). */
export function readFluxFile(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const text = readFileSync(new URL(`${name}.flux`, fluxDir()), 'utf8');
  cache.set(name, text);
  return text;
}

/** Every .flux file's name without the extension (tests check each one). */
export function listFluxFiles(): string[] {
  return readdirSync(fluxDir())
    .filter((file) => file.endsWith('.flux'))
    .map((file) => file.slice(0, -'.flux'.length))
    .sort();
}

const cache = new Map<string, string>();
let dir: URL | undefined;

/** analytics/flux/ next to this file when run from the sources; dist/analytics/ has no .flux files. */
function fluxDir(): URL {
  if (dir) return dir;
  for (const candidate of ['./flux/', '../../analytics/flux/']) {
    const url = new URL(candidate, import.meta.url);
    try {
      readdirSync(url);
      return (dir = url);
    } catch {
      // not at this level; try the next
    }
  }
  throw new AnalyticsError('INTERNAL', 'analytics/flux/ (the Flux query files) is missing from this installation');
}

/** A ParameterizedQuery whose text is already safe (built from escaped parts and our own files). */
function fluxExpressionQuery(text: string): ParameterizedQuery {
  return flux`${fluxExpression(text)}`;
}
