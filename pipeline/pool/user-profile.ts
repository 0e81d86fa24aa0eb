/** When a closed-loop user is active under a piecewise-linear users profile. */
import { usersAt, type ClosedLoad, type Phase } from '../core/plan.js';
import { stripeIndices } from '../load/segment.js';

const EPSILON = 1e-9;

/** User `user` (0-based) is active while the profile asks for more than `user` users. */
export function isUserActive(profile: ClosedLoad['users'], user: number, offsetMs: number): boolean {
  return usersAt(profile, offsetMs) >= user + 1 - EPSILON;
}

/** The earliest offset ≥ fromMs at which `user` is active; Infinity when never again. */
export function nextActiveOffset(profile: ClosedLoad['users'], user: number, fromMs: number): number {
  const level = user + 1;
  if (isUserActive(profile, user, fromMs)) return fromMs;
  for (let i = 1; i < profile.length; i++) {
    const [t0, u0] = profile[i - 1]!;
    const [t1, u1] = profile[i]!;
    if (t1 < fromMs || u1 < level - EPSILON) continue;
    // The segment ends at or above the level; find where it crosses it (a step when t1 === t0).
    const crossMs = u0 >= level - EPSILON || t1 === t0 ? t0 : t0 + ((level - u0) * (t1 - t0)) / (u1 - u0);
    return Math.max(crossMs, fromMs);
  }
  return Number.POSITIVE_INFINITY;
}

/** The largest number of users the profile ever asks for. */
export function peakUsers(profile: ClosedLoad['users']): number {
  return Math.max(0, ...profile.map(([, users]) => Math.ceil(users - EPSILON)));
}

/** The most requests this worker can have in flight at once. */
export function maxStreams(task: { phase: Phase; workerIndex: number; workerCount: number }): number {
  const load = task.phase.load;
  if (load.kind === 'open') return Math.max(1, load.maxInFlight);
  let mine = 0;
  for (const _user of stripeIndices(peakUsers(load.users), task.phase.segment, task.workerIndex, task.workerCount)) mine++;
  return Math.max(1, mine);
}
