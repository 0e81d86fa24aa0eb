/** What Ollama's native API and its /v1 layer share: model naming and gin's JSON responses. */
import type { RequestContext, SimCore } from '../dialect.js';

/** gin's c.JSON content type (the charset rides along). */
export const GIN_JSON = 'application/json; charset=utf-8';

/** Ollama names carry a tag; "sim" is served (and listed) as "sim:latest". */
export function servedName(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

/** Whether a requested name refers to the served model ("sim" and "sim:latest" both do). */
export function isServed(core: SimCore, requested: string): boolean {
  return requested !== '' && servedName(requested) === servedName(core.options.model);
}

export function ginJson(ctx: RequestContext, status: number, value: unknown): void {
  ctx.send(status, GIN_JSON, JSON.stringify(value));
}
