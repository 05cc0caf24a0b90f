import { useSignal } from '@preact/signals';
import { reportError } from './notices.js';

/** A button's action: busy while it runs, its failure shown (never swallowed). */
export function useAction() {
  const busy = useSignal(false);
  const run = async (task: () => Promise<unknown>): Promise<void> => {
    busy.value = true;
    try {
      await task();
    } catch (error) {
      reportError(error);
    } finally {
      busy.value = false;
    }
  };
  return { busy, run };
}
