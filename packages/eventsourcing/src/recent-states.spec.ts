import { RecentStates } from './recent-states';

describe('RecentStates', () => {
  let now: number;
  let loads: number;
  const clock = () => now;
  const loader = (value: string) => async () => {
    loads++;
    return value;
  };

  beforeEach(() => {
    now = 1_000;
    loads = 0;
  });

  it('reuses a state younger than maxAgeMs and loads it again after', async () => {
    const states = new RecentStates<string>(500, 10, clock);
    expect(await states.get('k', loader('v1'))).toBe('v1');
    now += 499;
    expect(await states.get('k', loader('v2'))).toBe('v1');
    now += 1;
    expect(await states.get('k', loader('v2'))).toBe('v2');
    expect(loads).toBe(2);
  });

  it('shares one load between concurrent misses', async () => {
    const states = new RecentStates<string>(500, 10, clock);
    const got = await Promise.all([1, 2, 3].map(() => states.get('k', loader('v'))));
    expect(got).toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);
  });

  it('serves its own writes at once, and a load that started before a write never overwrites it', async () => {
    const states = new RecentStates<string>(500, 10, clock);
    let finish!: (v: string) => void;
    const slow = states.get('k', () => new Promise<string>((resolve) => (finish = resolve)));
    states.set('k', 'written');
    finish('stale');
    await slow;
    expect(await states.get('k', loader('other'))).toBe('written');
    states.delete('k');
    expect(await states.get('k', loader('reloaded'))).toBe('reloaded');
  });

  it('answers a load in flight when its key is deleted, without keeping what it loaded', async () => {
    const states = new RecentStates<string>(500, 10, clock);
    let finish!: (v: string) => void;
    const slow = states.get('k', () => new Promise<string>((resolve) => (finish = resolve)));
    states.delete('k');
    finish('loaded-before-the-delete');
    expect(await slow).toBe('loaded-before-the-delete');
    expect(await states.get('k', loader('reloaded'))).toBe('reloaded');
    expect(loads).toBe(1);
  });

  it('rejects a failed load and keeps the state it had', async () => {
    const states = new RecentStates<string>(500, 10, clock);
    await states.get('k', loader('v1'));
    const failing = () => Promise.reject(new Error('store down'));
    await expect(states.get('k', failing, true)).rejects.toThrow('store down');
    expect(await states.get('k', loader('v2'))).toBe('v1');
    await expect(states.get('other', failing)).rejects.toThrow('store down');
    expect(await states.get('other', loader('v3'))).toBe('v3');
  });

  it("counts a loaded state's age from when its load started", async () => {
    const states = new RecentStates<string>(500, 10, clock);
    let finish!: (v: string) => void;
    const slow = states.get('k', () => new Promise<string>((resolve) => (finish = resolve)));
    now += 400;
    finish('v1');
    await slow;
    now += 100;
    expect(await states.get('k', loader('v2'))).toBe('v2');
  });

  it('loads every time with maxAgeMs 0, and whenever fresh is asked for', async () => {
    const off = new RecentStates<string>(0, 10, clock);
    await off.get('k', loader('a'));
    await off.get('k', loader('a'));
    expect(loads).toBe(2);
    const on = new RecentStates<string>(500, 10, clock);
    await on.get('k', loader('a'));
    expect(await on.get('k', loader('b'), true)).toBe('b');
    expect(await on.get('k', loader('c'))).toBe('b');
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const states = new RecentStates<string>(500, 2, clock);
    for (const k of ['a', 'b', 'c']) await states.get(k, loader(k));
    loads = 0;
    await states.get('c', loader('c'));
    await states.get('b', loader('b'));
    expect(loads).toBe(0);
    await states.get('a', loader('a'));
    expect(loads).toBe(1);
  });
});
