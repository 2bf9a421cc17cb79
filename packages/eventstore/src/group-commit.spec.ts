import { GroupCommit, type Outcome } from './group-commit';

const ok = <R>(value: R): Outcome<R> => ({ ok: true, value });

describe('GroupCommit', () => {
  it('commits submissions of the same turn as one batch, and later ones in the next', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<string, string>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await gate;
      return items.map((i) => ok(i.toUpperCase()));
    }, 100);
    const first = ['a', 'b', 'c'].map((i) => group.submit(i));
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch is in flight: these wait and go together.
    const second = ['d', 'e'].map((i) => group.submit(i));
    release();
    expect(await Promise.all([...first, ...second])).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('settles each item on its own outcome', async () => {
    const group = new GroupCommit<number, number>(
      async (items) =>
        items.map((n) => (n % 2 ? ok(n) : { ok: false, error: new Error(`even ${n}`) })),
      100,
    );
    const results = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('even 2'));
  });

  it('cuts batches at the weight limit, but never leaves a heavy item behind', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push([...items]);
      return items.map(ok);
    }, 10);
    await Promise.all([4, 4, 4, 25, 1].map((w) => group.submit(w, w)));
    expect(batches).toEqual([[4, 4], [4], [25], [1]]);
  });

  it('fails every item of a batch whose commit throws, and goes on with the next batch', async () => {
    let calls = 0;
    const group = new GroupCommit<string, string>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return items.map(ok);
    }, 100);
    const failed = await Promise.allSettled(['a', 'b'].map((i) => group.submit(i)));
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    await expect(group.submit('c')).resolves.toBe('c');
  });

  it('rejects everything when the commit returns the wrong number of outcomes', async () => {
    const group = new GroupCommit<string, string>(async () => [ok('x')], 100);
    const results = await Promise.allSettled(['a', 'b'].map((i) => group.submit(i)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
  });
});
