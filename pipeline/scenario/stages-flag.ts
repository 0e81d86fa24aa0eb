/**
 * `--stages "30s:10,10s:100,60s:100"`: comma-separated DURATION:TARGET pairs, the k6 `--stage` shorthand.
 * Targets are users for --stages (whole numbers) and requests/s for --rate-stages.
 */
import { UsageError } from '../core/errors.js';
import { DURATION_EXAMPLES, isDuration } from './duration.js';

export interface StageInput {
  readonly duration: string;
  readonly target: number;
}

export interface StagesFlagOptions {
  /** The flag's name, for messages. */
  readonly flag: '--stages' | '--rate-stages';
  /** Users must be whole numbers; rates need not be. */
  readonly wholeTargets: boolean;
}

const USAGE = 'DURATION:TARGET pairs separated by commas, e.g. "30s:10,10s:100,60s:100"';

export function parseStagesFlag(text: string, options: StagesFlagOptions): StageInput[] {
  const { flag } = options;
  const items = text.split(',').map((item) => item.trim());
  if (text.trim() === '') throw new UsageError(`${flag}: empty; expected ${USAGE}`);
  const problems: string[] = [];
  const stages: StageInput[] = [];
  items.forEach((item, i) => {
    const where = `stage ${i + 1} (${JSON.stringify(item)})`;
    const parts = item.split(':');
    if (parts.length !== 2) {
      problems.push(`${where}: expected DURATION:TARGET`);
      return;
    }
    const duration = parts[0]!.trim();
    const targetText = parts[1]!.trim();
    const target = targetText === '' ? Number.NaN : Number(targetText);
    if (!isDuration(duration)) problems.push(`${where}: ${JSON.stringify(duration)} is not a duration (${DURATION_EXAMPLES})`);
    if (!Number.isFinite(target) || target < 0) {
      problems.push(`${where}: target ${JSON.stringify(targetText)} must be a number ≥ 0`);
    } else if (options.wholeTargets && !Number.isInteger(target)) {
      problems.push(`${where}: target ${targetText} must be a whole number of users`);
    }
    stages.push({ duration, target });
  });
  if (problems.length > 0) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}:\n${problems.map((line) => `  ${line}`).join('\n')}`, {
      hint: `${flag} takes ${USAGE}`,
    });
  }
  return stages;
}
