/**
 * Live progress as a sink: on a TTY a panel redrawn in place (log-update); without a TTY (CI, pipes) one line
 * every 5 s so logs stay readable; nothing with --quiet. Written to stderr so stdout stays the results. The
 * rates are a sliding window over the records it is handed (LiveStats), approximate by design.
 */
import { formatDurationMs } from '../pipeline/core/clock.js';
import type { RunEvent, RunProgress, RunSink } from '../pipeline/core/sink.js';
import { LiveStats, type LiveSnapshot } from '../pipeline/run/live-stats.js';

/** What one redraw shows. */
export interface ProgressUpdate extends RunProgress {
  readonly live: LiveSnapshot;
}

export interface ProgressDisplay {
  update(progress: ProgressUpdate): void;
  done(): void;
  /** How often run updates should come. */
  readonly intervalMs: number;
}

export class ProgressSink implements RunSink {
  readonly name = 'progress';
  readonly #live = new LiveStats();

  constructor(private readonly display: ProgressDisplay) {}

  write(event: RunEvent): void {
    if (event.kind === 'records') this.#live.add(event.records);
    else if (event.kind === 'progress') this.display.update({ ...event.progress, live: this.#live.snapshot(event.progress.nowMs, event.progress.elapsedMs) });
  }

  async close(): Promise<void> {
    this.display.done();
  }
}

export async function createProgressDisplay(mode: 'tty' | 'lines' | 'quiet', stream: NodeJS.WriteStream = process.stderr): Promise<ProgressDisplay> {
  if (mode === 'quiet') return { update() {}, done() {}, intervalMs: 60_000 };
  if (mode === 'lines') {
    let lastLineMs = Number.NEGATIVE_INFINITY;
    return {
      intervalMs: 1000,
      update(progress) {
        if (progress.elapsedMs - lastLineMs < 5000 && progress.elapsedMs >= lastLineMs) return;
        lastLineMs = progress.elapsedMs;
        stream.write(`${progressLine(progress)}\n`);
      },
      done() {},
    };
  }
  // log-update is loaded only for a terminal: it is one of the slowest imports of the CLI.
  const { createLogUpdate } = await import('log-update');
  const render = createLogUpdate(stream);
  return {
    intervalMs: 250,
    update(progress) {
      render(progressPanel(progress));
    },
    done() {
      render.done();
    },
  };
}

export function progressLine(p: ProgressUpdate): string {
  const live = p.live;
  const parts = [
    `[${p.stage}]`,
    elapsedText(p),
    p.target !== undefined ? `${p.loadKind === 'closed' ? 'users' : 'target rps'} ${round(p.target)}` : '',
    `in flight ${p.inFlight}`,
    `done ${live.ok} ok / ${live.errors} err${live.dropped ? ` / ${live.dropped} dropped` : ''}`,
    `${live.rps.toFixed(1)} req/s`,
    `${live.outputTps.toFixed(0)} tok/s`,
    live.ttftP50Ms !== null ? `TTFT p50 ${live.ttftP50Ms.toFixed(0)} ms p95 ${live.ttftP95Ms!.toFixed(0)} ms` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

function progressPanel(p: ProgressUpdate): string {
  const live = p.live;
  const errors = Object.entries(live.errorsByKind)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const width = 30;
  const fraction = p.totalMs ? Math.min(p.elapsedMs / p.totalMs, 1) : p.requestBudget ? Math.min(live.completed / p.requestBudget, 1) : 0;
  const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
  return [
    `llmbench  ${p.phase}${p.warmup ? ' (warmup)' : ''}  stage ${p.stage}`,
    `${bar} ${elapsedText(p)}`,
    `${p.loadKind === 'closed' ? 'users' : 'target rate'}: ${p.target !== undefined ? round(p.target) : '-'}   in flight: ${p.inFlight}`,
    `requests: ${live.ok} ok, ${live.errors} failed${live.dropped ? `, ${live.dropped} dropped` : ''}`,
    `last 10 s: ${live.rps.toFixed(1)} req/s, ${live.outputTps.toFixed(0)} output tok/s, TTFT p50 ${fmt(live.ttftP50Ms)} p95 ${fmt(live.ttftP95Ms)}`,
    `errors: ${errors || 'none'}`,
  ].join('\n');
}

function elapsedText(p: ProgressUpdate): string {
  return p.totalMs ? `${formatDurationMs(p.elapsedMs)}/${formatDurationMs(p.totalMs)}` : formatDurationMs(p.elapsedMs);
}

function fmt(ms: number | null): string {
  return ms === null ? '-' : `${ms.toFixed(0)} ms`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
