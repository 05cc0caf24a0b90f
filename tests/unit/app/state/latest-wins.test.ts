import { describe, expect, it } from 'vitest';
import { latestWins } from '../../../../src/app/state/latest-wins.js';

/** A read the test answers by hand, in whatever order it likes. */
function manualReads() {
  const answers: Array<(value: number) => void> = [];
  const read = () => new Promise<number>((resolve) => answers.push(resolve));
  return { read, answer: (call: number, value: number) => answers[call]?.(value) };
}

describe('latestWins', () => {
  it('never lets an older read replace a newer one that finished first', async () => {
    const shown: number[] = [];
    const { read, answer } = manualReads();
    const refresh = latestWins(read, (value) => shown.push(value));
    const older = refresh();
    const newer = refresh();
    answer(1, 0); // the newer read: the outbox is empty
    await newer;
    answer(0, 2); // the older one, from before the records left
    await older;
    expect(shown).toEqual([0]);
  });

  it('applies every read that finishes in order, so a stream of overlapping calls still updates', async () => {
    const shown: number[] = [];
    const { read, answer } = manualReads();
    const refresh = latestWins(read, (value) => shown.push(value));
    const calls = [refresh(), refresh(), refresh()];
    for (const [i, value] of [3, 2, 1].entries()) {
      answer(i, value);
      await calls[i];
    }
    expect(shown).toEqual([3, 2, 1]);
  });

  it('passes its arguments to the read and its failure to the caller', async () => {
    const refresh = latestWins(
      (officerId: string) => (officerId ? Promise.resolve(officerId) : Promise.reject(new Error('no officer'))),
      () => {},
    );
    await expect(refresh('')).rejects.toThrow('no officer');
    await expect(refresh('o1')).resolves.toBeUndefined();
  });
});
