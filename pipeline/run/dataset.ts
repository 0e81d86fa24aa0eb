/** A JSONL prompt dataset: one {"prompt": "..."} object a line. Bad lines are reported with their numbers. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';

export async function loadDataset(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new UsageError(`cannot read the dataset ${path}`, { cause, hint: 'check the --dataset path' });
  });
  const prompts: string[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as { prompt?: unknown };
      if (typeof parsed.prompt === 'string' && parsed.prompt.length > 0) prompts.push(parsed.prompt);
      else problems.push(`line ${index + 1}: no non-empty "prompt" string`);
    } catch {
      problems.push(`line ${index + 1}: not valid JSON`);
    }
  });
  if (problems.length > 0 || prompts.length === 0) {
    throw new UsageError(`${path} is not a usable dataset:\n  ${(problems.length ? problems.slice(0, 20) : ['no prompts']).join('\n  ')}`, {
      hint: 'each line must be a JSON object like {"prompt": "…"}',
    });
  }
  return prompts;
}

/** sha256 of the dataset file, for the workload fingerprint (two runs of one dataset ran the same prompts). */
export async function datasetSha256(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new UsageError(`cannot read the dataset ${path}`, { cause, hint: 'check the --dataset path' });
  });
  return createHash('sha256').update(bytes).digest('hex');
}
