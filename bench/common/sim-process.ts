/**
 * Starts `llmbench sim` in its own process (so the simulator's CPU and event loop are not the client's) and
 * resolves with its URL from the first stdout line.
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
  const child = spawn(process.execPath, [binPath(), 'sim', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new Error(`llmbench sim exited with ${code} before listening`));
    child.once('exit', onExit);
    lines.once('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (!match) return reject(new Error(`unexpected first line from llmbench sim: ${line}`));
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
