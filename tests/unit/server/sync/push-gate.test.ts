import { describe, expect, it } from 'vitest';
import { PushGate } from '../../../../src/server/sync/push-gate.js';

const deferred = () => {
  let resolve: (value: string) => void = () => undefined;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
};

describe('the push gate', () => {
  it('runs two full batches at once, queues the next ones in order, and turns away what does not fit in line', async () => {
    const gate = new PushGate(2000, 2000);
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, () => deferred());
    const outcomes = tasks.map((task, i) =>
      gate.run(1000, () => {
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

  it('frees its records when a batch fails, so one bad batch never wedges the gate', async () => {
    const gate = new PushGate(1000, 0);
    await expect(gate.run(1000, () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await gate.run(1000, () => Promise.resolve('ok'))).toEqual({ busy: false, value: 'ok' });
  });

  it('counts records, not batches: a thousand phones pushing six records each are stored, not turned away', async () => {
    const gate = new PushGate(2000, 16000);
    const tasks = Array.from({ length: 1000 }, () => deferred());
    let running = 0;
    const outcomes = tasks.map((task) =>
      gate.run(6, () => {
        running++;
        return task.promise;
      }),
    );
    await Promise.resolve();
    // 333 run at once (1,998 records), the other 667 wait in line (4,002 records of 16,000).
    expect(running).toBe(333);
    tasks.forEach((task, i) => task.resolve(`done ${i}`));
    const answers = await Promise.all(outcomes);
    expect(answers.filter((a) => a.busy)).toHaveLength(0);
    expect(running).toBe(1000);
  });

  it('lets no small batch overtake a full one waiting for room', async () => {
    const gate = new PushGate(2000, 16000);
    const order: string[] = [];
    const first = deferred();
    const running = gate.run(1500, () => (order.push('1500'), first.promise));
    const big = gate.run(1000, () => (order.push('1000'), Promise.resolve('big')));
    const small = gate.run(10, () => (order.push('10'), Promise.resolve('small')));
    await Promise.resolve();
    expect(order).toEqual(['1500']);
    first.resolve('first');
    await Promise.all([running, big, small]);
    expect(order).toEqual(['1500', '1000', '10']);
  });
});
