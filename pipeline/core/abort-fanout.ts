/**
 * One 'abort' listener per signal, fanning out to many callbacks. Node's EventTarget scans its listener list
 * on every addEventListener (duplicate check), so a thousand in-flight requests each listening on the run's
 * shared signal would cost O(n²).
 */
const callbacksBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `callback` when `signal` aborts (at once if it already has); returns the unsubscribe. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let callbacks = callbacksBySignal.get(signal);
  if (!callbacks) {
    const created = new Set<() => void>();
    callbacksBySignal.set(signal, created);
    signal.addEventListener('abort', () => {
      for (const each of [...created]) each();
      created.clear();
    }, { once: true });
    callbacks = created;
  }
  const entry = () => callback();
  callbacks.add(entry);
  return () => callbacks.delete(entry);
}
