/**
 * A read whose calls overlap and may finish out of order, and whose result is shown: each
 * result is applied unless a call started later has already applied its own, so the screen
 * never goes back to an older reading (and, unlike "only the newest call applies", a steady
 * stream of calls still updates it).
 */
export function latestWins<Args extends unknown[], Value>(
  read: (...args: Args) => Promise<Value>,
  apply: (value: Value) => void,
): (...args: Args) => Promise<void> {
  let started = 0;
  let applied = 0;
  return async (...args) => {
    const mine = ++started;
    const value = await read(...args);
    if (mine < applied) return;
    applied = mine;
    apply(value);
  };
}
