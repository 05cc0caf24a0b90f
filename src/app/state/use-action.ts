import { useSignal } from '@preact/signals';
import { describeError, reportError } from './notices.js';

/**
 * A button's action: busy while it runs, its failure shown (never swallowed). By default the
 * failure becomes a notice; with `inline` it lands in `error` for the form to show beside the
 * fields it is about (and is logged for the developer console).
 */
export function useAction(options: { inline?: boolean } = {}) {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const run = async (task: () => Promise<unknown>): Promise<void> => {
    busy.value = true;
    error.value = null;
    try {
      await task();
    } catch (failure) {
      if (options.inline) {
        console.error(failure);
        error.value = describeError(failure);
      } else reportError(failure);
    } finally {
      busy.value = false;
    }
  };
  return { busy, error, run };
}
