/**
 * Starts a real llama.cpp server (Debian's `llama-server`, via shared/tools/llama-server.sh, DESIGN §13) on a
 * free loopback port and resolves once it listens and answers /health. Used by the integration tests, the
 * fixture recorder and the scaling sweep.
 *
 * The script unpacks Debian's packages into a cache folder on first use (apt-get download) and generates the
 * model; both are cached. `LlamaServerUnavailable` means "cannot run here" (no script, or the packages are not
 * cached and could not be fetched): callers skip with its reason. Any other error is a real failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** util-linux's chrt, to start the server under SCHED_BATCH. */
const CHRT = '/usr/bin/chrt';

export type LlamaModelSize = 'tiny' | 'small';

export interface LlamaServerOptions {
  readonly size: LlamaModelSize;
  /** Slots (-np): requests decoded together. */
  readonly parallel?: number;
  /** CPU threads (-t). */
  readonly threads?: number;
  /** Let the script download and unpack Debian's packages when they are not cached. */
  readonly allowDownload?: boolean;
  /** Until the listening line; a download needs minutes, a cached start about a second. */
  readonly startTimeoutMs?: number;
}

export interface LlamaServer {
  readonly url: string;
  /** The model id it serves (the script's --alias). */
  readonly model: string;
  readonly pid: number;
  /** The last lines the server logged (for failure messages). */
  logTail(): string;
  /** SIGTERM to the server's process group, SIGKILL after 5 s; resolves when it exited. */
  stop(): Promise<void>;
}

/** The server cannot run on this machine; `reason` says why and how to enable it. */
export class LlamaServerUnavailable extends Error {
  override readonly name = 'LlamaServerUnavailable';
}

const LOG_TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;

/** The repository root, from bench/llamacpp under tsx or from dist/bench/llamacpp after a build. */
function repoRoot(): string {
  const here = fileURLToPath(import.meta.url);
  return here.includes('/dist/') ? here.slice(0, here.indexOf('/dist/')) : fileURLToPath(new URL('../../', import.meta.url));
}

/**
 * The launcher script: $LLMBENCH_LLAMA_SERVER when set (empty = none, to exercise the skip path), else
 * `shared/tools/llama-server.sh` beside the clone (CI: `../shared`), or inside it.
 */
export function findLlamaServerScript(): string | undefined {
  const override = process.env.LLMBENCH_LLAMA_SERVER;
  if (override !== undefined) return override !== '' && existsSync(override) ? resolve(override) : undefined;
  const root = repoRoot();
  return [join(root, '../shared/tools/llama-server.sh'), join(root, 'shared/tools/llama-server.sh')].find((path) => existsSync(path));
}

/** Where the script unpacks the packages and keeps the models (same rule as the script). */
export function llamaCacheDir(): string {
  return process.env.LLAMACPP_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'llmbench-llamacpp');
}

export function llamaServerUnpacked(): boolean {
  return existsSync(join(llamaCacheDir(), 'root/usr/bin/llama-server'));
}

export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const script = findLlamaServerScript();
  if (!script) {
    throw new LlamaServerUnavailable('shared/tools/llama-server.sh was not found beside the repository (or $LLMBENCH_LLAMA_SERVER is empty or wrong)');
  }
  const wasUnpacked = llamaServerUnpacked();
  if (!wasUnpacked && !options.allowDownload) {
    throw new LlamaServerUnavailable(`Debian's llama-server is not unpacked in ${llamaCacheDir()}; run ${script} once (or .ci/run) to fetch it`);
  }
  const args = [script, '--size', options.size, '--parallel', String(options.parallel ?? 4), '--threads', String(options.threads ?? 1), '--port', '0'];
  // Under SCHED_BATCH where chrt exists, as llmbench sim runs (pipeline/core/batch-scheduling.ts): a server woken
  // by a request on the client's own machine must not preempt the client in the middle of writing it.
  const command = existsSync(CHRT) ? [CHRT, '-b', '0', 'bash', ...args] : ['bash', ...args];
  // Its own process group: stop() reaches the script and whatever it runs (apt-get while downloading).
  const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const killGroup = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killGroup);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let url: string;
  try {
    url = await listeningUrl(child, tail, options.startTimeoutMs ?? (wasUnpacked ? 60_000 : 300_000));
    await waitHealthy(url, exited);
  } catch (error) {
    killGroup();
    process.off('exit', killGroup);
    throw error;
  }
  return {
    url,
    model: `llmbench-${options.size}`,
    pid: child.pid!,
    logTail: () => tail.join('\n'),
    async stop() {
      process.off('exit', killGroup);
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the URL of llama-server's `listening on` line; keeps the last lines of output in `tail`. */
function listeningUrl(child: ChildProcess, tail: string[], timeoutMs: number): Promise<string> {
  return new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      const message = `llama-server did not print its listening line within ${timeoutMs / 1000} s:\n${tail.join('\n')}`;
      // Still fetching Debian's packages (a slow or silent mirror): unavailable here, not broken.
      reject(llamaServerUnpacked() ? new Error(message) : new LlamaServerUnavailable(message));
    }, timeoutMs);
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    // Keep reading for the server's whole life: a full pipe would block its logging, and so its requests.
    for (const stream of [child.stdout!, child.stderr!]) splitLines(stream, onLine);
    // 'close', not 'exit': the last lines of output (the reason) have been read by then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const log = tail.join('\n');
      // The script exits before exec'ing the server when apt-get cannot fetch the packages.
      if (!llamaServerUnpacked()) reject(new LlamaServerUnavailable(`Debian's llama.cpp packages could not be fetched (script exit ${code ?? signal}):\n${log}`));
      else reject(new Error(`llama-server exited with ${code ?? signal} before listening:\n${log}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new LlamaServerUnavailable(`cannot run ${child.spawnargs.join(' ')}: ${error.message}`));
    });
  });
}

/** One /health 200 (the Debian build loads the model before it listens; this also catches a bad start). */
async function waitHealthy(url: string, exited: Promise<void>): Promise<void> {
  const deadline = Date.now() + 30_000;
  let dead = false;
  void exited.then(() => (dead = true));
  while (!dead && Date.now() < deadline) {
    const status = await fetch(`${url}/health`).then(
      (response) => response.status,
      () => 0, // not accepting connections yet
    );
    if (status === 200) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`llama-server at ${url} did not answer /health with 200 within 30 s`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}
