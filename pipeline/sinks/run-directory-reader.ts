/**
 * The one reader of run directories (DESIGN §6), for every command that reads a run: report, push, compare,
 * trend, merge and analyzeRun. One rule for damage:
 * - a torn last line (the last line of a file, unterminated and unreadable: a process killed mid-write) is
 *   skipped, counted in `damage`, and announced once through `onWarning`;
 * - any other unreadable line is an error (RUN_DAMAGED, exit 2) naming the file and the line;
 * - a run without run.json (it never ended: killed) is read as `incomplete`: its result is rebuilt from
 *   run-start.json and the records it holds, with status `incomplete` and `valid: false`.
 * The JSONL files are streamed, never held whole: a long run's records do not fit comfortably in memory twice.
 */
import { createReadStream, existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BenchError } from '../core/errors.js';
import type { Point } from '../core/point.js';
import type { RequestRecord } from '../core/record.js';
import { RUN_SCHEMA_VERSION, type RunResult, type StartManifest } from '../core/run-result.js';
import { RunSummarizer } from '../run/run-summarizer.js';
import { RUN_FILES } from './run-files.js';

export interface RunDamage {
  /** Torn last lines skipped so far. */
  tornLines: number;
  /** The files they were in. */
  files: string[];
}

export interface RunDirectoryView {
  readonly path: string;
  /** True when the run wrote run.json (it ended, whatever its status). */
  readonly complete: boolean;
  readonly result: RunResult;
  /** run-start.json, when the run wrote one. */
  readonly manifest: StartManifest | undefined;
  /** Torn lines met so far (every file once read through). */
  readonly damage: RunDamage;
  records(): AsyncGenerator<RequestRecord>;
  resources(): AsyncGenerator<Point>;
  /** The `llm_window` points the run handed out (windows.jsonl); empty for a run that has none. */
  windows(): AsyncGenerator<Point>;
}

export interface ReadOptions {
  /** One line per torn file ("requests.jsonl: last line cut short …"). */
  readonly onWarning?: (line: string) => void;
}

export async function readRunDirectory(path: string, options: ReadOptions = {}): Promise<RunDirectoryView> {
  const damage: RunDamage = { tornLines: 0, files: [] };
  const warned = new Set<string>();
  const onTorn = (file: string) => {
    if (warned.has(file)) return;
    warned.add(file);
    damage.tornLines++;
    damage.files.push(file);
    options.onWarning?.(tornLineWarning(path, file));
  };
  const lines = <T>(file: string, check: (value: unknown) => value is T) => jsonLines(path, file, check, () => onTorn(file));
  const manifest = await readJson<StartManifest>(path, RUN_FILES.start);
  const stored = await readJson<RunResult>(path, RUN_FILES.run);
  if (!stored && !manifest && !existsSync(join(path, RUN_FILES.requests))) {
    throw new BenchError('RUN_NOT_FOUND', `${path} is not a run directory (no ${RUN_FILES.run}, ${RUN_FILES.start} or ${RUN_FILES.requests})`, {
      hint: 'pass the directory `llmbench run --out DIR` wrote (default runs/<run_id>)',
    });
  }
  const view = {
    path,
    manifest,
    damage,
    records: () => lines(RUN_FILES.requests, isRecord),
    resources: () => lines(RUN_FILES.resources, isPoint),
    windows: () => lines(RUN_FILES.windows, isPoint),
  };
  if (stored) return { ...view, complete: true, result: stored };
  return { ...view, complete: false, result: await rebuildResult(path, manifest, view.records(), damage) };
}

/**
 * requests.jsonl alone, by the same rule for damage: what the analytics sink reads back when a run closes, before
 * run.json exists (readRunDirectory would rebuild a result from the records first, reading them twice).
 */
export function readRunRecords(path: string, options: ReadOptions = {}): AsyncGenerator<RequestRecord> {
  return jsonLines(path, RUN_FILES.requests, isRecord, () => options.onWarning?.(tornLineWarning(path, RUN_FILES.requests)));
}

function tornLineWarning(dir: string, file: string): string {
  return `${join(dir, file)}: the last line was cut short (the process was killed while writing it?); skipped`;
}

/** run.json for a run that never wrote one: what run-start.json said it was, and what its records measured. */
async function rebuildResult(path: string, manifest: StartManifest | undefined, records: AsyncGenerator<RequestRecord>, damage: RunDamage): Promise<RunResult> {
  const summarizer = new RunSummarizer();
  let first: RequestRecord | undefined;
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  const stageNames = new Map<number, string>();
  for await (const record of records) {
    first ??= record;
    summarizer.add([record]);
    firstMs = Math.min(firstMs, record.t_intended);
    lastMs = Math.max(lastMs, record.t_done ?? record.t_send ?? record.t_intended);
    if (!record.warmup) stageNames.set(record.stage_index, record.stage);
  }
  const phases = manifest?.phases ?? [
    { name: 'main', warmup: false, stages: [...stageNames].sort((a, b) => a[0] - b[0]).map(([index, name]) => ({ name, index })) },
  ];
  const startedAt = manifest?.started_at ?? (Number.isFinite(firstMs) ? new Date(firstMs).toISOString() : new Date(0).toISOString());
  const summary = summarizer.summary();
  return {
    schema_version: RUN_SCHEMA_VERSION,
    run_id: manifest?.run_id ?? first?.run_id ?? 'unknown',
    tool: manifest?.tool ?? { name: 'llmbench', version: 'unknown' },
    status: 'incomplete',
    abort_reason: `the run never ended (no ${RUN_FILES.run}: killed?); this is what ${path} holds`,
    valid: false,
    validity: [
      {
        name: 'run_ended',
        ok: false,
        value: null,
        limit: 1,
        detail: 'the run stopped before it could write run.json: its last requests, client health and resource summary are missing',
      },
    ],
    started_at: startedAt,
    ended_at: Number.isFinite(lastMs) ? new Date(lastMs).toISOString() : startedAt,
    scenario: manifest?.scenario ?? { name: 'unknown' },
    ...(manifest?.workload_fingerprint ? { workload_fingerprint: manifest.workload_fingerprint } : {}),
    target: {
      engine: manifest?.target.engine ?? first?.engine ?? 'unknown',
      url: manifest?.target.url ?? 'unknown',
      model: manifest?.target.model ?? first?.model ?? 'unknown',
      api: manifest?.target.api ?? 'unknown',
      network_rtt_ms: null,
    },
    host: manifest?.host ?? {},
    client_health: {
      schedule_lag_p99_ms: summary.metrics.schedule_lag_ms?.p99 ?? null,
      user_send_wait_share: summarizer.sendLag.userSendWaitShare(),
      event_loop_delay_p99_ms: null,
      client_cpu_pct: null,
      dropped_arrivals: summary.requests.dropped,
    },
    summary,
    stages: summarizer.stages(phases),
    damage: { torn_lines: damage.tornLines, files: [...damage.files] },
  };
}

async function readJson<T>(dir: string, file: string): Promise<T | undefined> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BenchError('RUN_NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    // Written atomically, so a half file is not a kill: something else damaged it.
    throw new BenchError('RUN_DAMAGED', `${path} is not valid JSON`, { cause, hint: 'it is written whole (temporary file, then rename), so something changed it afterwards' });
  }
}

/**
 * The parsed lines of a JSONL file (nothing when it does not exist). A line that does not parse is held back
 * until the next one: followed by another line it is damage (an error naming file:line); as the file's last
 * line, unterminated, it is a torn write (skipped, reported through onTorn).
 */
async function* jsonLines<T>(dir: string, file: string, check: (value: unknown) => value is T, onTorn: () => void): AsyncGenerator<T> {
  const path = join(dir, file);
  if (!existsSync(path)) return;
  const input = createReadStream(path, { encoding: 'utf8' });
  let lineNumber = 0;
  let unreadable: { line: number; reason: string } | undefined;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === '') continue;
      if (unreadable) throw damaged(path, unreadable);
      const parsed = parseLine(line, check);
      if (typeof parsed === 'string') unreadable = { line: lineNumber, reason: parsed };
      else yield parsed.value;
    }
  } finally {
    input.destroy();
  }
  if (!unreadable) return;
  if (await endsWithNewline(path)) throw damaged(path, unreadable);
  onTorn();
}

function parseLine<T>(line: string, check: (value: unknown) => value is T): { value: T } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  return check(value) ? { value } : 'valid JSON, but not the object this file holds';
}

function damaged(path: string, at: { line: number; reason: string }): BenchError {
  return new BenchError('RUN_DAMAGED', `${path}:${at.line} is not readable (${at.reason})`, {
    hint: 'a line in the middle of the file was changed or corrupted after the run wrote it; restore it or remove that line',
  });
}

async function endsWithNewline(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

function isRecord(value: unknown): value is RequestRecord {
  return typeof value === 'object' && value !== null && typeof (value as RequestRecord).request_id === 'string';
}

function isPoint(value: unknown): value is Point {
  return typeof value === 'object' && value !== null && typeof (value as Point).measurement === 'string';
}
