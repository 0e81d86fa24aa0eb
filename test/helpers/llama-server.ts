/**
 * A real llama.cpp server for the integration tests (DESIGN §13), started once per test file with top-level
 * await. When it cannot run here (no shared/tools/llama-server.sh, or Debian's packages neither cached nor
 * fetchable), `llamaTest` is `test.skip` and one extra test logs why: "skipped" plus the reason, never a
 * silent pass. A server that is installed but fails to start is an error, not a skip.
 */
import test, { type ExecutionContext } from 'ava';
import { request } from 'undici';
import { LlamaServerUnavailable, startLlamaServer, type LlamaServer, type LlamaServerOptions } from '../../bench/llamacpp/llama-server.js';

export { type LlamaServer } from '../../bench/llamacpp/llama-server.js';

export interface LlamaForTests {
  /** The running server, or undefined when it cannot run here. */
  readonly server: LlamaServer | undefined;
  /** `test.serial` with a server (the tests share its counters), `test.skip` without. */
  readonly llamaTest: typeof test.serial | typeof test.skip;
}

/**
 * Starts the server (downloading Debian's packages if they are not cached yet, as .ci/run does), registers
 * its SIGTERM in `test.after.always`, or registers the notice test when it cannot run.
 */
export async function llamaServerForTests(options: LlamaServerOptions): Promise<LlamaForTests> {
  try {
    // 90 s: a download that takes longer must not outlast ava's 120 s timeout (.ci/run fetches beforehand).
    const server = await startLlamaServer({ allowDownload: true, startTimeoutMs: 90_000, ...options });
    test.after.always(() => server.stop());
    return { server, llamaTest: test.serial };
  } catch (error) {
    if (!(error instanceof LlamaServerUnavailable)) throw error;
    if (process.env.CI === 'true') {
      test('real llama.cpp server tests', (t) => t.fail(`CI=true and the real llama.cpp server cannot run: ${error.message}`));
      return { server: undefined, llamaTest: test.skip };
    }
    test('real llama.cpp server tests', (t) => {
      t.log('the real llama.cpp server cannot run here, so the tests against it in this file are skipped:');
      t.log(error.message);
      t.log('they need shared/tools/llama-server.sh beside the repository and Debian\'s packages (fetched by .ci/run)');
      t.pass();
    });
    return { server: undefined, llamaTest: test.skip };
  }
}

/** The server's own /metrics samples (`llamacpp:` prefix, no labels), by name. */
export async function scrapeLlamaMetrics(url: string): Promise<Map<string, number>> {
  const response = await request(`${url}/metrics`);
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET ${url}/metrics: ${response.statusCode} ${text}`);
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(llamacpp:\w+) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** How much a counter grew while `work` ran. */
export async function counterDeltas<T, Name extends string>(
  url: string,
  names: readonly Name[],
  work: () => Promise<T>,
): Promise<{ result: T; delta: Record<Name, number> }> {
  const before = await scrapeLlamaMetrics(url);
  const result = await work();
  const after = await scrapeLlamaMetrics(url);
  const delta = {} as Record<Name, number>;
  for (const name of names) {
    const a = before.get(name);
    const b = after.get(name);
    if (a === undefined || b === undefined) throw new Error(`llama-server /metrics has no ${name}`);
    delta[name] = b - a;
  }
  return { result, delta };
}

/** The server log's tail in a failing test's output. */
export function logServerTailOnFailure(t: ExecutionContext, server: LlamaServer): void {
  t.teardown(() => {
    if (!t.passed) t.log(`llama-server log tail:\n${server.logTail()}`);
  });
}
