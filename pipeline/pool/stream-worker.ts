/**
 * The Piscina worker entry: one task = this worker's share of one phase. Closed-loop users (user u runs in
 * worker u mod W) or open-loop arrivals (arrival i runs in worker i mod W), all on one undici Agent, every
 * deadline absolute; in a segmented run (DESIGN §16) the workers stripe the segment's users and arrivals
 * instead (load/segment.ts). Finished records go to the coordinator in batches; the task resolves when every
 * request this worker started has its record.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { systemClock, type Clock } from '../core/clock.js';
import type { GenerationRequest } from '../core/engine.js';
import type { ClosedLoad, OpenLoad } from '../core/plan.js';
import type { RequestRecord } from '../core/record.js';
import { adapterFor } from '../../collectors/engines/index.js';
import { stripeIndices } from '../load/segment.js';
import { agentFor, preconnect } from './connections.js';
import { DispatchPacer } from './dispatch-pacer.js';
import { executeRequest, type RequestContext, type RequestMeta } from './execute-request.js';
import { syntheticPrompt } from './prompts.js';
import { stageAt } from './stage-at.js';
import { RecordBatcher } from './record-batcher.js';
import { isUserActive, maxStreams, nextActiveOffset, peakUsers } from './user-profile.js';
import { Watchdog } from './watchdog.js';
import { nameThisThread, WORKER_THREAD_NAME } from '../tuning/thread-priority.js';
import {
  requestIdOf,
  SHARED_IN_FLIGHT,
  SHARED_REQUESTS_CLAIMED,
  startedSlot,
  type CoordinatorMessage,
  type PrepareTask,
  type WorkerMessage,
  type WorkerResult,
  type WorkerTask,
} from './worker-protocol.js';

// The coordinator tells its workers from V8's helper threads by this name when it sets priorities
// (core/thread-priority.ts). Tests that drive runStream in their own thread leave that thread's name alone.
if (!isMainThread) nameThisThread(WORKER_THREAD_NAME);

export default function streamWorker(task: WorkerTask | PrepareTask | { ping: true }): Promise<WorkerResult | number | 'pong'> {
  if ('ping' in task) return Promise.resolve('pong'); // WorkerPool.warm(): the module is loaded now
  if ('prepare' in task) return prepareConnections(task);
  return runStream(task, systemClock);
}

/** Before a closed-loop phase: open this worker's share of connections (see connections.ts). */
function prepareConnections(task: PrepareTask): Promise<number> {
  const origin = new URL(task.url).origin;
  const basePath = new URL(task.url).pathname.replace(/\/$/, '');
  const agent = agentFor(origin, task.connectTimeoutMs, task.connections);
  return preconnect(agent, origin, basePath + task.healthPath, task.connections, task.connectTimeoutMs);
}

/** Exported so tests can drive the loop in-process. */
export async function runStream(task: WorkerTask, clock: Clock): Promise<WorkerResult> {
  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  delay.enable();
  const shared = new Int32Array(task.shared);
  const stop = new AbortController();
  task.port.on('message', (message: CoordinatorMessage) => {
    if (message.type === 'stop') stop.abort(new Error(message.reason));
  });
  const adapter = adapterFor(task.target.engine);
  const origin = new URL(task.target.url).origin;
  const basePath = new URL(task.target.url).pathname.replace(/\/$/, '');
  const agent = agentFor(origin, task.workload.connectTimeoutMs, maxStreams(task));
  const watchdog = new Watchdog(task.workload.firstTokenTimeoutMs, task.workload.idleTimeoutMs, () => clock.nowMs());
  // Starts of the requests in flight, and the next open-loop arrival: what the batch watermark is made of.
  const started = new Set<{ readonly sinceMs: number }>();
  const schedule = { nextDueMs: Number.POSITIVE_INFINITY };
  const watermarkMs = () => {
    let oldest = Math.min(clock.nowMs(), schedule.nextDueMs);
    for (const entry of started) if (entry.sinceMs < oldest) oldest = entry.sinceMs;
    return oldest;
  };
  const batcher = new RecordBatcher(task.port, watermarkMs);
  const pacer = new DispatchPacer({
    nowMs: () => clock.nowMs(),
    // Only closed-loop users keep to the send rate: open-loop arrival times are the workload (dispatch-pacer.ts).
    ...(task.phase.load.kind === 'closed' ? { sendRatePerS: task.userSendRatePerS } : {}),
  });
  const context: RequestContext = {
    adapter,
    dispatcher: agent,
    origin,
    clock,
    watchdog,
    runId: task.runId,
    workerIndex: task.workerIndex,
    networkRttMs: task.networkRttMs,
    basePath,
    pacer,
  };
  // Requests are cancelled after the phase's end plus the graceful stop window.
  const cancel = new AbortController();
  stop.signal.addEventListener('abort', () => cancel.abort(stop.signal.reason), { once: true });

  const counters = { sent: 0, dropped: 0, sequence: 0 };
  // Each segment takes its own turn through the dataset and the prompt seeds (segment 1/1 gives what an
  // unsegmented run does); request ids carry the segment (requestIdOf).
  const segment = task.phase.segment;
  const segmentOffset = segment ? segment.index - 1 : 0;
  const segmentCount = segment?.count ?? 1;
  const newRequest = (sequence: number, requestId: string): GenerationRequest => {
    const stream = sequence * task.workerCount + task.workerIndex;
    const prompt = task.prompts?.length
      ? task.prompts[(stream * segmentCount + segmentOffset) % task.prompts.length]!
      : syntheticPrompt(task.workload.promptWords ?? task.workload.promptTokens, `[${requestId}]`, task.workload.seed + sequence * 7919 + task.workerIndex + segmentOffset * 104_729);
    return {
      requestId,
      model: task.target.model,
      prompt,
      promptTokens: task.workload.promptTokens,
      maxTokens: task.workload.maxTokens,
      stream: task.workload.stream,
      api: task.target.api ?? adapter.defaultApi,
      seed: task.workload.seed,
      ...(task.apiKey ? { apiKey: task.apiKey } : {}),
    };
  };
  const metaFor = (tIntended: number, user?: number): RequestMeta => {
    const stage = stageAt(task.phase, tIntended - task.phaseStartMs);
    return {
      tIntended,
      stage: task.phase.warmup ? 'warmup' : stage.name,
      stageIndex: task.phase.warmup ? -1 : stage.index,
      warmup: task.phase.warmup,
      ...(user !== undefined ? { user } : {}),
    };
  };
  const claim = (): boolean => {
    if (task.phase.requests === null) return true;
    return Atomics.add(shared, SHARED_REQUESTS_CLAIMED, 1) < task.phase.requests;
  };
  const endMs = task.phase.durationMs === null ? Number.POSITIVE_INFINITY : task.phaseStartMs + task.phase.durationMs;
  const send = async (meta: RequestMeta): Promise<RequestRecord> => {
    counters.sent++;
    Atomics.add(shared, SHARED_IN_FLIGHT, 1);
    // Every stamp of this request comes after now; it leaves the set only once its record is with the batcher.
    const entry = { sinceMs: clock.nowMs() };
    started.add(entry);
    try {
      // The turn comes before the request is built (prompt, record, stream parser). When 1 000 users fell due
      // together, building all of theirs first kept the thread from sending or reading for ~70 ms at the
      // phase start, and then let ~650 sends out within ~55 ms, faster than the server could read them.
      const wait = pacer.sendTurn();
      if (wait) await wait;
      const sequence = counters.sequence++;
      const requestId = requestIdOf(task.runId, task.phase, task.workerIndex, sequence);
      batcher.started({ id: requestId, tIntended: meta.tIntended, stageIndex: meta.stageIndex, ...(meta.user !== undefined ? { user: meta.user } : {}) });
      Atomics.store(shared, startedSlot(task.workerIndex), counters.sequence);
      const finished = await executeRequest(context, newRequest(sequence, requestId), meta, cancel.signal);
      batcher.push(finished);
      return finished.record;
    } finally {
      started.delete(entry);
      Atomics.sub(shared, SHARED_IN_FLIGHT, 1);
    }
  };

  let graceTimer: NodeJS.Timeout | undefined;
  if (Number.isFinite(endMs)) {
    const armGrace = () => {
      graceTimer = setTimeout(() => cancel.abort(new Error('graceful stop window over')), Math.max(0, endMs + task.gracefulStopMs - clock.nowMs()));
    };
    armGrace();
  }

  try {
    if (task.phase.load.kind === 'closed') {
      await runClosed(task, task.phase.load, clock, stop.signal, endMs, claim, send, metaFor);
    } else {
      await runOpen(task, task.phase.load, clock, stop.signal, endMs, claim, send, metaFor, shared, schedule, (record) => {
        counters.dropped++;
        batcher.push({ record, chunkLog: NO_CHUNKS });
      });
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    batcher.close();
    watchdog.stop();
    task.port.postMessage({ type: 'done' } satisfies WorkerMessage);
    task.port.close();
    delay.disable();
  }
  return {
    workerIndex: task.workerIndex,
    sent: counters.sent,
    dropped: counters.dropped,
    eventLoopDelayP99Ms: latenessMs(delay.percentile(99)),
    eventLoopDelayMaxMs: latenessMs(delay.max),
  };
}

type Send = (meta: RequestMeta) => Promise<RequestRecord>;
type MetaFor = (tIntended: number, user?: number) => RequestMeta;

async function runClosed(
  task: WorkerTask,
  load: ClosedLoad,
  clock: Clock,
  stop: AbortSignal,
  endMs: number,
  claim: () => boolean,
  send: Send,
  metaFor: MetaFor,
): Promise<void> {
  const users: Promise<void>[] = [];
  for (const user of stripeIndices(peakUsers(load.users), task.phase.segment, task.workerIndex, task.workerCount)) {
    users.push(runUser(user));
  }
  await Promise.all(users);

  async function runUser(user: number): Promise<void> {
    // Offsets from the phase start, not epoch times: epoch ms near 1.8e12 keep only ~0.2 µs of precision,
    // enough to move a computed ramp crossing to just before itself and make the user re-wait forever.
    let readyOffsetMs = 0;
    while (!stop.aborted) {
      if (!isUserActive(load.users, user, readyOffsetMs)) {
        const nextOffsetMs = nextActiveOffset(load.users, user, readyOffsetMs);
        if (!Number.isFinite(nextOffsetMs) || task.phaseStartMs + nextOffsetMs >= endMs) return;
        // The crossing is where the user becomes active: go there even if rounding says "not quite".
        readyOffsetMs = Math.max(nextOffsetMs, readyOffsetMs + Number.EPSILON);
        await clock.sleepUntil(task.phaseStartMs + readyOffsetMs, stop);
      } else {
        await clock.sleepUntil(task.phaseStartMs + readyOffsetMs, stop);
      }
      const readyMs = task.phaseStartMs + readyOffsetMs;
      if (stop.aborted || readyMs >= endMs || clock.nowMs() >= endMs) return;
      if (!claim()) return;
      const record = await send(metaFor(readyMs, user));
      readyOffsetMs = (record.t_done ?? clock.nowMs()) - task.phaseStartMs + load.thinkTimeMs;
    }
  }
}

async function runOpen(
  task: WorkerTask,
  load: OpenLoad,
  clock: Clock,
  stop: AbortSignal,
  endMs: number,
  claim: () => boolean,
  send: Send,
  metaFor: MetaFor,
  shared: Int32Array,
  schedule: { nextDueMs: number },
  onDropped: (record: RequestRecord) => void,
): Promise<void> {
  const inFlight = new Set<Promise<RequestRecord>>();
  for (const i of stripeIndices(load.arrivalsMs.length, task.phase.segment, task.workerIndex, task.workerCount)) {
    const dueMs = task.phaseStartMs + load.arrivalsMs[i]!;
    if (dueMs >= endMs) break;
    // A dropped arrival is stamped at dueMs, which may lie before the wake-up: the watermark holds it back.
    schedule.nextDueMs = dueMs;
    await clock.sleepUntil(dueMs, stop);
    if (stop.aborted) break;
    if (!claim()) break;
    // The cap is global across workers: the shared counter is what every worker increments.
    if (Atomics.load(shared, SHARED_IN_FLIGHT) >= load.maxInFlight) {
      onDropped(droppedRecord(task, metaFor(dueMs), i));
      continue;
    }
    const request = send(metaFor(dueMs));
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  schedule.nextDueMs = Number.POSITIVE_INFINITY;
  await Promise.allSettled(inFlight);
}

function droppedRecord(task: WorkerTask, meta: RequestMeta, arrivalIndex: number): RequestRecord {
  return {
    request_id: `${task.runId}-${task.phase.name}${task.phase.segment ? `-s${task.phase.segment.index}of${task.phase.segment.count}` : ''}-a${arrivalIndex}-dropped`,
    run_id: task.runId,
    stage: meta.stage,
    stage_index: meta.stageIndex,
    warmup: meta.warmup,
    status: 'dropped',
    error_kind: 'dropped',
    error_message: `max_in_flight (${(task.phase.load as OpenLoad).maxInFlight}) was full at the arrival`,
    engine: task.target.engine,
    model: task.target.model,
    stream: task.workload.stream,
    worker: task.workerIndex,
    t_intended: meta.tIntended,
    chunks: [],
    metrics: {},
    sources: {},
    server: {},
  };
}

/**
 * Node's histogram records the whole interval between its timer's firings (an idle loop reads ~10.3 ms at a
 * 10 ms resolution); the lateness beyond the resolution is the delay that distorts timestamps.
 */
const LOOP_DELAY_RESOLUTION_MS = 10;
/** A dropped arrival was never sent, so it has no chunks. */
const NO_CHUNKS = new Float64Array(0);

function latenessMs(intervalNs: number): number {
  return Number.isFinite(intervalNs) ? Math.max(intervalNs / 1e6 - LOOP_DELAY_RESOLUTION_MS, 0) : 0;
}
