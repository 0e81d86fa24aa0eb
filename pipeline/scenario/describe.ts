/** One-line descriptions of a load, for `scenarios list` and progress headers: "ramping-concurrency · 10→100→10 users · 1m40s". */
import { formatDurationMs } from '../core/clock.js';
import { durationMs } from './duration.js';
import type { LoadConfig } from './schema.js';

export function describeLoad(load: LoadConfig): string {
  const parts: string[] = [load.executor];
  switch (load.executor) {
    case 'constant-concurrency':
      parts.push(`${load.users} user${load.users === 1 ? '' : 's'}`, stopText(load.duration, load.requests));
      break;
    case 'constant-rate':
      parts.push(`${load.rate} req/s ${load.arrival}`, stopText(load.duration, load.requests));
      break;
    case 'ramping-concurrency':
    case 'ramping-rate': {
      const unit = load.executor === 'ramping-concurrency' ? 'users' : 'req/s';
      const totalMs = load.stages.reduce((sum, stage) => sum + durationMs(stage.duration), 0);
      parts.push(`${levelsPath([load.start_target, ...load.stages.map((stage) => stage.target)])} ${unit}`, formatDurationMs(totalMs));
      if (load.requests !== undefined) parts.push(`at most ${load.requests} requests`);
      break;
    }
    case 'sweep': {
      const unit = load.mode === 'concurrency' ? 'users' : 'req/s';
      const first = load.levels[0]!;
      const last = load.levels[load.levels.length - 1]!;
      parts.push(`${load.mode} ${first}…${last} ${unit} (${load.levels.length} levels)`, `${stopText(load.level_duration, load.level_requests)} each`);
      break;
    }
  }
  return parts.join(' · ');
}

function stopText(duration: string | undefined, requests: number | undefined): string {
  const time = duration !== undefined ? formatDurationMs(durationMs(duration)) : undefined;
  const count = requests !== undefined ? `${requests} requests` : undefined;
  return time && count ? `${time} or ${count}` : (time ?? count ?? '');
}

/** Targets with repeats collapsed: [10, 10, 100, 100, 10, 10] → "10→100→10". */
function levelsPath(levels: readonly number[]): string {
  return levels.filter((level, i) => i === 0 || level !== levels[i - 1]).join('→');
}
