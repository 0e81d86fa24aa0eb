/**
 * Ctrl-C and SIGTERM (what cron, systemd and Kubernetes send) during a run: the first stops the load, records
 * the requests in flight as cancelled, flushes every sink and leaves a run marked `aborted`; a second exits at
 * once, saying what was not flushed and how to get it back.
 */
export interface RunInterrupt {
  readonly signal: AbortSignal;
  /** The signal that stopped the run, if one did. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function onRunSignals(whatIsUnflushed: () => string): RunInterrupt {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (!first) {
      first = signal;
      process.stderr.write(`\n${signal}: stopping the load, recording the requests in flight as cancelled, flushing (${signal} again exits at once)\n`);
      controller.abort(signal);
      return;
    }
    process.stderr.write(`${signal} again: exiting now. ${whatIsUnflushed()}\n`);
    process.exit(exitCodeOf(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** 128 + the signal number, as a shell reports a process the signal ended. */
export function exitCodeOf(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
