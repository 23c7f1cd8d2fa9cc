/**
 * SIGINT and SIGTERM as an AbortSignal: the first asks the command to stop taking work and finish
 * what is in flight; a second one asks it to stop at once (`force`).
 */
export interface StopSignals {
  /** Aborted at the first signal. */
  stop: AbortSignal;
  /** Aborted at the second. */
  force: AbortSignal;
  /** The first signal's name, once one came. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function listenForStop(onSignal?: (name: NodeJS.Signals, count: number) => void, external?: AbortSignal): StopSignals {
  const stop = new AbortController();
  const force = new AbortController();
  let first: NodeJS.Signals | undefined;
  let count = 0;
  const handler = (name: NodeJS.Signals): void => {
    count += 1;
    first ??= name;
    onSignal?.(name, count);
    if (count === 1) stop.abort(new Error(`stopped by ${name}`));
    else force.abort(new Error(`stopped at once by a second ${name}`));
  };
  const onExternal = (): void => handler('SIGTERM');
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  external?.addEventListener('abort', onExternal, { once: true });
  return {
    stop: stop.signal,
    force: force.signal,
    received: () => first,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      external?.removeEventListener('abort', onExternal);
    },
  };
}

/** Resolves when the signal aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
