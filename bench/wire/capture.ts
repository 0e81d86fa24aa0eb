/**
 * Runs tcpdump on the loopback interface for one TCP port, keeping only segments that carry data (pure ACKs
 * would double the file and say nothing about timing). Needs tcpdump and the right to capture (root or
 * CAP_NET_RAW); when either is missing the error says so and how to get it.
 */
import { spawn } from 'node:child_process';
import { CLOCK_TICKS_PER_SECOND, readPidStat } from '../../collectors/resources/process/procfs-process.js';

/** libpcap's packet-buffer timeout as tcpdump sets it (to_ms = 1000). */
const BLOCK_TIMEOUT_MS = 1000;

export interface Capture {
  /** Stops tcpdump; resolves once the file is complete. */
  stop(): Promise<CaptureResult>;
}

export interface CaptureResult {
  readonly file: string;
  /** Packets the kernel dropped because tcpdump fell behind: the capture is incomplete when > 0. */
  readonly droppedPackets: number;
  /** CPU tcpdump itself used (user + system), seconds: it shares the machine with what it measures. */
  readonly cpuSeconds: number;
}

/** tcpdump's filter: this port, and a TCP payload longer than zero (IPv4 total length − IP and TCP headers). */
function filterFor(port: number): string {
  return `tcp port ${port} and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)`;
}

export async function startCapture(port: number, file: string, iface = 'lo'): Promise<Capture> {
  // -s 0: whole segments (a cut payload would break the de-chunking); -B: a 128 MiB kernel buffer, so a burst
  // of thousands of streams is not dropped; nanosecond stamps where the kernel has them.
  const args = ['-i', iface, '-s', '0', '-B', '131072', '--time-stamp-precision=nano', '-w', file, filterFor(port)];
  const child = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? 'tcpdump is not installed: apt-get install -y tcpdump' : `tcpdump: ${error.message}`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`tcpdump exited (${code}) before capturing: ${stderr.trim() || 'no message'} — capturing needs root or CAP_NET_RAW`)),
    );
    // tcpdump says "listening on lo, link-type …" once the capture is armed.
    const ready = () => {
      if (!/listening on/.test(stderr)) return;
      child.stderr!.off('data', ready);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve();
    };
    child.stderr!.on('data', ready);
  });
  return {
    async stop() {
      // tcpdump reads the kernel's ring in blocks that are handed over when full or after its 1 s timeout, and
      // SIGINT discards a block not yet handed over: without this wait the last second of traffic is lost.
      await new Promise((resolve) => setTimeout(resolve, BLOCK_TIMEOUT_MS * 2));
      const stat = child.pid === undefined ? undefined : readPidStat(child.pid);
      const cpuSeconds = stat ? stat.cpuTicks / CLOCK_TICKS_PER_SECOND : Number.NaN;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      await exited;
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      return { file, droppedPackets: dropped ? Number(dropped[1]) : 0, cpuSeconds };
    },
  };
}
