import { replayStoreContract } from '@idp/testing';
import { InMemoryReplayStore } from './in-memory.replay-store';

replayStoreContract('InMemoryReplayStore', async () => {
  let now = 1_700_000_000_000;
  const store = new InMemoryReplayStore({ now: () => now });
  return {
    // One process: both "replicas" use the same Map.
    stores: [store, store],
    advance: async (ms) => void (now += ms),
    cleanup: () => store.close(),
  };
});

describe('InMemoryReplayStore', () => {
  it('forgets expired claims once it holds many', async () => {
    let now = 0;
    const store = new InMemoryReplayStore({ now: () => now });
    for (let i = 0; i <= 10_001; i++) await store.claimOnce(`k${i}`, 10);
    now = 100;
    await store.claimOnce('fresh', 10);
    expect(store.storedKeys).toBe(1);
  });
});
