/**
 * Starts a real VictoriaMetrics (Debian's `victoria-metrics` package) on a free loopback port with its own
 * data directory: a server that accepts InfluxDB's /api/v2/write, so the sink's writes can be checked end
 * to end (DESIGN §13). Used by the integration tests and by the sink benchmark. VictoriaMetrics names an
 * Influx field `<measurement>_<field>`, keeps tags as labels, stores milliseconds and keeps every raw
 * sample, including two with the same millisecond.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ExportedSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamps: readonly number[];
}

export interface VictoriaMetrics {
  readonly url: string;
  readonly dataDir: string;
  /** SIGTERM (VictoriaMetrics flushes to disk) and wait for the exit. */
  stop(): Promise<void>;
  /** Start again on the same port and data directory. */
  restart(): Promise<void>;
  /** Raw samples of the series matching a selector, e.g. `{run_id="r1"}`, after a flush. */
  exportSeries(selector: string): Promise<ExportedSeries[]>;
  /** Stop and delete the data directory. */
  dispose(): Promise<void>;
  /** The server process (for measuring its CPU), undefined while stopped. */
  pid(): number | undefined;
}

/**
 * The binary: $VICTORIA_METRICS_BIN when set (a path; empty = none, to try the skip path), else PATH or
 * Debian's /usr/bin. Undefined when the package is not installed.
 */
export function findVictoriaMetrics(): string | undefined {
  const override = process.env.VICTORIA_METRICS_BIN;
  if (override !== undefined) return override !== '' && isExecutable(override) ? override : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, 'victoria-metrics');
    if (isExecutable(path)) return path;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false; // absent or not executable: the caller looks elsewhere or skips
  }
}

export async function startVictoriaMetrics(binary = findVictoriaMetrics()): Promise<VictoriaMetrics> {
  if (!binary) throw new Error('victoria-metrics is not installed (apt-get install -y victoria-metrics)');
  const dataDir = await mkdtemp(join(tmpdir(), 'llmbench-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async () => {
    const log = createWriteStream(join(dataDir, 'victoria-metrics.log'), { flags: 'a' });
    child = spawn(
      binary,
      [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dataDir, 'data')}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    await waitHealthy(url, child, dataDir);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };

  await launch();
  return {
    url,
    dataDir,
    stop,
    restart: launch,
    async exportSeries(selector) {
      await fetch(`${url}/internal/force_flush`);
      // An explicit end: by default the export stops short of the current second, hiding the newest samples.
      const end = String(Math.ceil(Date.now() / 1000) + 86_400);
      const response = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': selector, start: '0', end })}`);
      if (!response.ok) throw new Error(`export ${selector}: ${response.status} ${await response.text()}`);
      return (await response.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ExportedSeries);
    },
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    pid: () => child?.pid,
  };
}

async function waitHealthy(url: string, child: ChildProcess, dataDir: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`victoria-metrics exited with ${child.exitCode}; see ${join(dataDir, 'victoria-metrics.log')}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`victoria-metrics did not become healthy at ${url} within 20 s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
