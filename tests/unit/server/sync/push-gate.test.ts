import { describe, expect, it } from 'vitest';
import { PushGate } from '../../../../src/server/sync/push-gate.js';

const deferred = () => {
  let resolve: (value: string) => void = () => undefined;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
};

describe('the push gate', () => {
  it('runs two batches at once, queues the next ones in order, and turns away what does not fit in line', async () => {
    const gate = new PushGate(2, 2);
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, () => deferred());
    const outcomes = tasks.map((task, i) =>
      gate.run(() => {
        started.push(i);
        return task.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(await outcomes[4]).toEqual({ busy: true });

    tasks[1]!.resolve('one');
    expect(await outcomes[1]).toEqual({ busy: false, value: 'one' });
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const i of [0, 2, 3]) tasks[i]!.resolve(`done ${i}`);
    expect(await Promise.all(outcomes.slice(0, 4))).toEqual([
      { busy: false, value: 'done 0' },
      { busy: false, value: 'one' },
      { busy: false, value: 'done 2' },
      { busy: false, value: 'done 3' },
    ]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees its slot when a batch fails, so one bad batch never wedges the gate', async () => {
    const gate = new PushGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await gate.run(() => Promise.resolve('ok'))).toEqual({ busy: false, value: 'ok' });
  });
});
