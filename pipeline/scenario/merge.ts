/**
 * How `extends:` combines documents: JSON Merge Patch (RFC 7386) — a child's mapping merges into the
 * parent's key by key, a child's scalar or list replaces the parent's, and `null` deletes the key
 * (`warmup: null` turns off a preset's warmup). Two sections are replaced whole instead of merged,
 * because merging them would mix incompatible keys: `load` when the child names a different executor,
 * and `warmup` (requests and duration exclude each other).
 */
export type Document = Record<string, unknown>;

export function isMapping(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isMapping(patch)) return patch;
  const result: Document = isMapping(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Merge Patch with the scenario-specific whole-section replacements above. */
export function mergeScenarioDocuments(parent: Document, child: Document): Document {
  const merged = mergePatch(parent, child) as Document;
  const parentLoad = parent['load'];
  const childLoad = child['load'];
  if (isMapping(parentLoad) && isMapping(childLoad) && childLoad['executor'] !== undefined
      && childLoad['executor'] !== parentLoad['executor']) {
    merged['load'] = mergePatch({}, childLoad);
  }
  if (isMapping(child['warmup'])) merged['warmup'] = mergePatch({}, child['warmup']);
  return merged;
}
