/**
 * The registered sinks, driven as one: opened in order before any load, each event handed to each in order,
 * closed in reverse order at the end with run.json as it stands (a sink's section is added before the next one
 * closes). So the first registered, the run directory, opens first (a full disk stops the run before anything
 * else is contacted) and closes last (its run.json holds every section). A sink
 * that throws from write() is cut off from further events and its error goes to run.json `sinks.<name>`; the
 * run goes on (a sink that must stop the run says so through RunControl.fail).
 */
import { SinkError } from '../core/errors.js';
import type { RunResult } from '../core/run-result.js';
import type { RunControl, RunEvent, RunSink, RunStart } from '../core/sink.js';

export class SinkSet {
  readonly #opened: RunSink[] = [];
  readonly #broken = new Map<string, string>();

  constructor(
    private readonly sinks: readonly RunSink[],
    private readonly notice: (line: string) => void,
  ) {
    const names = sinks.map((sink) => sink.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated) throw new SinkError('INTERNAL', `two sinks are named ${repeated}`, { hint: 'each sink needs its own name (run.json sinks.<name>)' });
  }

  /** Opens every sink in order; on a failure the ones already open stay open, for closeAll to close. */
  async openAll(start: RunStart, control: RunControl): Promise<void> {
    for (const sink of this.sinks) {
      await sink.open?.(start, control);
      this.#opened.push(sink);
    }
  }

  write(event: RunEvent): void {
    for (const sink of this.#opened) {
      if (this.#broken.has(sink.name)) continue;
      try {
        sink.write(event);
      } catch (error) {
        const message = (error as Error).message;
        this.#broken.set(sink.name, message);
        this.notice(`sink ${sink.name} failed and gets no more events: ${message}`);
      }
    }
  }

  /**
   * Closes every opened sink in reverse order, adding each one's section to `result`. A sink that fails to close is
   * recorded, the others still close, and then the failure is thrown (SINK_UNAVAILABLE, exit 4): what it was to
   * keep may be missing.
   */
  async closeAll(result: RunResult): Promise<RunResult> {
    let current = result;
    const failures: string[] = [];
    for (const sink of [...this.#opened].reverse()) {
      const broken = this.#broken.get(sink.name);
      try {
        const section = await sink.close?.(current);
        if (section?.analysis) current = { ...current, analysis: section.analysis };
        const report = broken !== undefined ? { ...section?.sinkReport, error: broken } : section?.sinkReport;
        if (report) current = { ...current, sinks: { ...current.sinks, [sink.name]: report } };
      } catch (error) {
        const message = (error as Error).message;
        failures.push(`${sink.name}: ${message}`);
        current = { ...current, sinks: { ...current.sinks, [sink.name]: { error: broken ?? message } } };
      }
    }
    if (failures.length > 0) {
      throw new SinkError('SINK_UNAVAILABLE', `the run ended but ${failures.length === 1 ? 'a sink' : 'sinks'} could not finish: ${failures.join('; ')}`, {
        hint: 'the run directory keeps what was written; fix the cause (disk space, permissions, the InfluxDB server) and use `llmbench push` or `llmbench report` on it',
      });
    }
    return current;
  }
}
