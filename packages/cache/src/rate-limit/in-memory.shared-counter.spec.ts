import { sharedCounterContract } from '@idp/testing';
import { InMemorySharedCounter } from './in-memory.shared-counter';

sharedCounterContract('InMemorySharedCounter', async () => {
  let now = 1_700_000_000_000;
  const counter = new InMemorySharedCounter({ now: () => now });
  return {
    // One process: both "replicas" use the same Map.
    counters: [counter, counter],
    advance: async (ms) => void (now += ms),
    cleanup: () => counter.close(),
  };
});
