/**
 * Runs one generation for any dialect: plans its faults, submits it to the engine driver, writes each token
 * chunk through the dialect's framing as the model produces it, and ends, breaks or abandons the response.
 * Everything timing-related for every engine lives here, once.
 */
import type { JobListener, JobSpec } from './engine-driver.js';
import type { Exchange } from './exchange.js';
import type { GenerationSpec, GenerationState, SimCore, StreamPlan, UnaryPlan } from './dialect.js';
import { faultKinds, type FaultPlan } from './faults.js';
import type { FinishedRequest } from './live-stats.js';
import { deriveSeed } from './random.js';
import { TokenStream, type SimToken } from './tokens.js';

type Outcome = { ok: true } | { ok: false; failure: string };

export function runGeneration(core: SimCore, exchange: Exchange, spec: GenerationSpec): Promise<void> {
  const faults = core.faults.plan(spec.targetTokens);
  for (const kind of faultKinds(faults)) exchange.addFault(kind);
  core.stats.requestStarted();
  const state: GenerationState = {
    requestId: exchange.record.request_id,
    promptTokens: spec.promptTokens,
    targetTokens: spec.targetTokens,
    finishReason: spec.finishReason,
    tokens: [],
    text: '',
    receivedMs: exchange.record.received_ms,
    createdS: Math.floor(exchange.record.received_ms / 1000),
    slot: 0,
  };
  exchange.record.model = spec.model;
  exchange.record.stream = spec.stream;
  exchange.record.prompt_tokens = spec.promptTokens;

  return new Promise<void>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      core.stats.finished(finishedRequest(core, spec, state, outcome));
      resolve();
    };

    if (faults.errorStatus !== undefined) {
      const error = spec.errorBody(faults.errorStatus, `simulated error (injected fault, status ${faults.errorStatus})`);
      exchange.respond(faults.errorStatus, { 'content-type': error.contentType }, error.body, 0);
      return settle({ ok: false, failure: 'error_status' });
    }
    if (spec.overload && !core.options.fixed && core.driver.inFlight >= core.options.perf.maxInFlight) {
      const error = spec.errorBody(spec.overload.status, spec.overload.message);
      exchange.respond(spec.overload.status, { 'content-type': error.contentType }, error.body, 0);
      return settle({ ok: false, failure: 'overloaded' });
    }

    // The engine sees the request when its body was read (fixed mode: TTFT counts from there), or, with slow
    // headers, when the hold is over.
    const start = (arrivalMs: number) => {
      if (exchange.closed) return settle({ ok: false, failure: 'client_closed' });
      if (spec.plan.kind === 'stream') streamTokens(core, exchange, spec, spec.plan, state, faults, arrivalMs, settle);
      else answerOnce(core, exchange, spec.plan, state, faults, arrivalMs, settle);
    };
    if (faults.slowHeadersMs !== undefined) setTimeout(() => start(core.nowMs()), faults.slowHeadersMs);
    else start(state.receivedMs);
  });
}

function streamTokens(
  core: SimCore,
  exchange: Exchange,
  spec: GenerationSpec,
  plan: StreamPlan,
  state: GenerationState,
  faults: FaultPlan,
  arrivalMs: number,
  settle: (outcome: Outcome) => void,
): void {
  const headers = { 'content-type': plan.contentType, ...plan.headers };
  if (!plan.headersWithFirstWrite) exchange.head(200, headers, true);
  const tokensPerChunk = Math.max(1, plan.tokensPerChunk ?? 1);
  const source = new TokenStream(deriveSeed(core.options.seed, core.nextSequence()));
  // Reused for every chunk: plan.chunk only reads it during the call.
  const pending: SimToken[] = [];
  let wroteContent = false;

  const settleDone = (): void => {
    settle(faults.malformedAfterTokens !== undefined ? { ok: false, failure: 'malformed' } : { ok: true });
  };
  const listener: JobListener = {
    onAdmitted(slot) {
      state.admittedMs = core.nowMs();
      state.slot = slot;
    },
    onToken(index, last) {
      produceToken(core, state, source, pending);
      // The first token goes out alone (TTFT); then every `tokensPerChunk` tokens, and whatever is left at the end.
      if (!(index === 1 || pending.length >= tokensPerChunk || last)) return;
      if (plan.headersWithFirstWrite) exchange.head(200, headers, false);
      const preamble = !wroteContent && plan.preamble ? plan.preamble(state) : '';
      wroteContent = true;
      const text = preamble + plan.chunk(pending, state, last);
      const tokens = pending.length;
      pending.length = 0;
      const emitted = state.tokens.length;
      const faultHere = faults.malformedAfterTokens === emitted || faults.disconnectAfterTokens === emitted || faults.midStreamErrorAfterTokens === emitted;
      if (last && !faultHere) {
        // The last chunk leaves with the epilogue in one write, as it always has.
        exchange.record.finish_reason = state.finishReason;
        exchange.endWithTokens(text, tokens, plan.epilogue(state));
        return settleDone();
      }
      exchange.writeTokens(text, tokens);
      if (faultHere) breakStream(emitted, last);
    },
  };
  /** The faults planned right after `emitted` tokens, in order: malformed event, disconnect, mid-stream error. */
  const breakStream = (emitted: number, last: boolean): void => {
    if (faults.malformedAfterTokens === emitted) exchange.write(plan.malformed(state));
    if (faults.disconnectAfterTokens === emitted) {
      core.driver.cancel(jobId);
      exchange.destroy();
      return settle({ ok: false, failure: 'disconnect' });
    }
    if (faults.midStreamErrorAfterTokens === emitted) {
      core.driver.cancel(jobId);
      exchange.end(plan.midStreamError('simulated engine failure mid-stream (injected fault)', state));
      return settle({ ok: false, failure: 'mid_stream_error' });
    }
    if (last) {
      exchange.record.finish_reason = state.finishReason;
      exchange.end(plan.epilogue(state));
      settleDone();
    }
  };
  const jobId = core.driver.submit(jobSpec(spec.promptTokens, spec.targetTokens, arrivalMs, faults), listener);
  exchange.onClientClose(() => {
    core.driver.cancel(jobId);
    settle({ ok: false, failure: 'client_closed' });
  });
}

function answerOnce(
  core: SimCore,
  exchange: Exchange,
  plan: UnaryPlan,
  state: GenerationState,
  faults: FaultPlan,
  arrivalMs: number,
  settle: (outcome: Outcome) => void,
): void {
  const source = new TokenStream(deriveSeed(core.options.seed, core.nextSequence()));
  const jobId = core.driver.submit(jobSpec(state.promptTokens, state.targetTokens, arrivalMs, faults), {
    onAdmitted(slot) {
      state.admittedMs = core.nowMs();
      state.slot = slot;
    },
    onToken(_index, last) {
      produceToken(core, state, source, undefined);
      if (!last) return;
      if (faults.disconnectAfterTokens !== undefined) {
        exchange.destroy();
        return settle({ ok: false, failure: 'disconnect' });
      }
      const answer = plan.respond(state);
      // A malformed fault on a whole-body answer: the body is cut in half, so it is not valid JSON.
      const body = faults.malformedAfterTokens !== undefined ? answer.body.slice(0, Math.floor(answer.body.length / 2)) : answer.body;
      exchange.record.finish_reason = state.finishReason;
      exchange.respond(200, { 'content-type': answer.contentType, ...answer.headers }, body, state.tokens.length);
      settle(faults.malformedAfterTokens !== undefined ? { ok: false, failure: 'malformed' } : { ok: true });
    },
  });
  exchange.onClientClose(() => {
    core.driver.cancel(jobId);
    settle({ ok: false, failure: 'client_closed' });
  });
}

function jobSpec(promptTokens: number, outputTokens: number, arrivalMs: number, faults: FaultPlan): JobSpec {
  return faults.stall ? { promptTokens, outputTokens, arrivalMs, stall: faults.stall } : { promptTokens, outputTokens, arrivalMs };
}

/** Appends the next token to the state and counts it (first token: the prompt is done). */
function produceToken(core: SimCore, state: GenerationState, source: TokenStream, pending: SimToken[] | undefined): void {
  const nowMs = core.nowMs();
  const token = source.next();
  if (state.firstTokenMs === undefined) {
    state.firstTokenMs = nowMs;
    core.stats.promptDone(state.promptTokens);
  }
  core.stats.token(state.lastTokenMs === undefined ? undefined : nowMs - state.lastTokenMs);
  state.lastTokenMs = nowMs;
  state.tokens.push(token);
  state.text += token.text;
  pending?.push(token);
}

function finishedRequest(core: SimCore, spec: GenerationSpec, state: GenerationState, outcome: Outcome): FinishedRequest {
  return {
    ok: outcome.ok,
    finishReason: outcome.ok ? state.finishReason : null,
    ...(outcome.ok ? {} : { failure: outcome.failure }),
    promptTokens: state.promptTokens,
    outputTokens: state.tokens.length,
    maxTokens: spec.maxTokens,
    receivedMs: state.receivedMs,
    ...(state.admittedMs !== undefined ? { admittedMs: state.admittedMs } : {}),
    ...(state.firstTokenMs !== undefined ? { firstTokenMs: state.firstTokenMs } : {}),
    ...(state.lastTokenMs !== undefined ? { lastTokenMs: state.lastTokenMs } : {}),
    doneMs: core.nowMs(),
  };
}
