/**
 * Starts `llmbench sim` (or another server that speaks first with "listening on URL") in its own process, so
 * the server's CPU and event loop are not the client's, and resolves with its URL from that first line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface SimProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function binPath(): string {
  // Works from bench/ under tsx and from dist/bench/ after a build.
  const here = fileURLToPath(import.meta.url);
  const root = here.includes('/dist/') ? here.slice(0, here.indexOf('/dist/')) : fileURLToPath(new URL('../../', import.meta.url));
  return `${root.replace(/\/$/, '')}/bin/llmbench.js`;
}

export function startSimProcess(args: readonly string[]): Promise<SimProcess> {
  return startListeningProcess([binPath(), 'sim', ...args]);
}

/** Runs `node ...nodeArgs` and resolves once it prints "listening on http://…" as its first line. */
export function startListeningProcess(nodeArgs: readonly string[]): Promise<SimProcess> {
  const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`${nodeArgs.join(' ')} exited with ${code} before listening`));
    child.once('exit', onExit);
    lines.once('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (!match) return reject(new Error(`unexpected first line from ${nodeArgs.join(' ')}: ${line}`));
      child.off('exit', onExit);
      resolve({
        url: match[1]!,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
