/**
 * The worker thread's HTTP connections. One undici Agent per thread, kept across phases, so the connections
 * that warmup or preconnect opened serve the measured phase instead of every phase starting with a burst of
 * connects (at 1 000 users that burst alone distorted the first second of TTFT on a 2-core machine).
 */
import { Agent, request } from 'undici';

interface CachedAgent {
  readonly key: string;
  readonly connections: number;
  readonly agent: Agent;
}

let cached: CachedAgent | undefined;

/**
 * The thread's agent for `origin`, with at least `connections` sockets allowed. The cap matters: without it a
 * user that sends again the moment its response ends finds its socket not yet released, and undici opens a
 * new connection for every request (connect time in the schedule lag, sockets piling up).
 */
export function agentFor(origin: string, connectTimeoutMs: number, connections: number): Agent {
  const key = `${origin}|${connectTimeoutMs}`;
  if (cached && cached.key === key && cached.connections >= connections) return cached.agent;
  const previous = cached?.agent;
  if (previous) void previous.close().catch(() => previous.destroy());
  const agent = new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: { timeout: connectTimeoutMs },
    // The request watchdog owns first-token and idle timeouts; undici's would fire with less precise meaning.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  cached = { key, connections, agent };
  return agent;
}

/**
 * Opens up to `count` keep-alive connections before a phase starts, by sending that many concurrent GETs of
 * the engine's cheap health endpoint. Returns how many answered; failures are left to the phase to report.
 */
export async function preconnect(agent: Agent, origin: string, path: string, count: number, timeoutMs: number): Promise<number> {
  const probes = Array.from({ length: count }, () =>
    request(new URL(path, origin), { dispatcher: agent, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
      .then(async (response) => {
        await response.body.dump();
        return 1;
      })
      .catch(() => 0),
  );
  return (await Promise.all(probes)).reduce<number>((sum, ok) => sum + ok, 0);
}
