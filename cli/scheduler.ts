/**
 * The ticking of `llmbench schedule` (DESIGN §11), on node-cron 4 (5 fields, or 6 with seconds; --tz for the zone):
 * at each tick one run, never two at once. A tick that finds a run going is skipped and logged, never queued (a
 * benchmark overlapping another measures both). stop() stops the ticking, cancels the run going (its signal: the
 * run stops its load and ends `aborted`) and resolves when that run has ended.
 */
import { createTask, validate, type ScheduledTask } from 'node-cron';
import { UsageError } from '../pipeline/core/errors.js';

export interface SchedulerOptions {
  readonly cron: string;
  readonly timezone?: string;
  /** One scheduled run; `signal` cancels it. Its failures are its own to log: a rejection is logged and the ticking goes on. */
  readonly tick: (signal: AbortSignal, tickAt: Date) => Promise<void>;
  readonly log: (line: string) => void;
  /** Stop after this many runs (skipped ticks do not count). */
  readonly maxRuns?: number;
}

export class Scheduler {
  readonly #task: ScheduledTask;
  #current: { readonly done: Promise<void>; readonly controller: AbortController; readonly startedAt: Date } | undefined;
  #runs = 0;
  #stopped = false;
  readonly #finished: Promise<void>;
  #finish!: () => void;

  constructor(private readonly options: SchedulerOptions) {
    if (!validate(options.cron)) {
      throw new UsageError(`--cron ${JSON.stringify(options.cron)} is not a cron expression`, {
        hint: 'five fields (minute hour day-of-month month day-of-week), or six with seconds first, e.g. "0 2 * * *" (02:00 daily)',
      });
    }
    if (options.timezone !== undefined) checkTimezone(options.timezone);
    this.#finished = new Promise((resolve) => (this.#finish = resolve));
    this.#task = createTask(options.cron, (context) => this.#onTick(context.date), {
      name: 'llmbench-schedule',
      // node-cron's own notices (a tick missed because the process was busy) go to the scheduler's log.
      logger: {
        info: () => {},
        debug: () => {},
        warn: (message) => options.log(`node-cron: ${message}`),
        error: (message) => options.log(`node-cron: ${message instanceof Error ? message.message : message}`),
      },
      ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
    });
  }

  start(): void {
    void this.#task.start();
    const next = this.#task.getNextRun();
    this.options.log(`scheduled "${this.options.cron}"${this.options.timezone ? ` (${this.options.timezone})` : ''}; next run ${next ? next.toISOString() : 'never'}`);
  }

  /** Resolves once stopped (stop(), or --max-runs reached) and the last run has ended. */
  finished(): Promise<void> {
    return this.#finished;
  }

  get running(): boolean {
    return this.#current !== undefined;
  }

  async stop(why: string): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      await this.#task.destroy();
      const current = this.#current;
      if (current) {
        this.options.log(`${why}: cancelling the run that started at ${current.startedAt.toISOString()} (it ends aborted), then exiting`);
        current.controller.abort(why);
      } else this.options.log(`${why}: no run going; exiting`);
    }
    await this.#current?.done;
    this.#finish();
  }

  #onTick(tickAt: Date): void {
    if (this.#stopped) return;
    if (this.#current) {
      this.options.log(`tick at ${tickAt.toISOString()} skipped: the run that started at ${this.#current.startedAt.toISOString()} is still going`);
      return;
    }
    const controller = new AbortController();
    const done = this.options
      .tick(controller.signal, tickAt)
      .catch((error: unknown) => this.options.log(`the run of the tick at ${tickAt.toISOString()} failed unexpectedly: ${(error as Error).stack ?? String(error)}`))
      .finally(() => {
        this.#current = undefined;
        this.#runs++;
        if (this.options.maxRuns !== undefined && this.#runs >= this.options.maxRuns && !this.#stopped) void this.stop(`${this.#runs} run(s) made (--max-runs)`);
      });
    this.#current = { done, controller, startedAt: new Date() };
  }
}

function checkTimezone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new UsageError(`--tz ${JSON.stringify(zone)} is not a time zone`, { hint: 'an IANA zone name such as Europe/Berlin or UTC' });
  }
}
