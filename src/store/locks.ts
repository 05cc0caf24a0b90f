/**
 * Runs `task` while holding the named lock. With `ifAvailable`, `task` gets `false` at once when
 * another holder has it (another tab, or the service worker) instead of waiting.
 */
export type WithLock = <T>(name: string, options: { ifAvailable?: boolean }, task: (held: boolean) => Promise<T>) => Promise<T>;

/** Web Locks: one holder across every tab and the service worker of this origin. */
export const webLocks: WithLock = <T>(name: string, options: { ifAvailable?: boolean }, task: (held: boolean) => Promise<T>) =>
  navigator.locks.request(name, { ifAvailable: options.ifAvailable ?? false }, (lock) => task(lock !== null)) as Promise<T>;

/** The same contract inside one JS realm, for tests and for runtimes without Web Locks. */
export function memoryLocks(): WithLock {
  const tails = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  return async (name, options, task) => {
    if (options.ifAvailable && held.has(name)) return task(false);
    const previous = tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    tails.set(
      name,
      previous.then(() => mine),
    );
    await previous;
    held.add(name);
    try {
      return await task(true);
    } finally {
      held.delete(name);
      release();
    }
  };
}
