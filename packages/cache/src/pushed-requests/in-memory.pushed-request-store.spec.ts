import { pushedRequestStoreContract } from '@idp/testing';
import { InMemoryPushedRequestStore } from './in-memory.pushed-request-store';

pushedRequestStoreContract('InMemoryPushedRequestStore', async () => {
  let now = 1_700_000_000_000;
  const store = new InMemoryPushedRequestStore({ now: () => now });
  return {
    // One process: both "replicas" use the same Map.
    stores: [store, store],
    advance: async (ms) => void (now += ms),
    cleanup: () => store.close(),
  };
});

describe('InMemoryPushedRequestStore', () => {
  it('drops expired entries when another is saved, so memory does not grow with abandoned pushes', async () => {
    let now = 0;
    const store = new InMemoryPushedRequestStore({ now: () => now });
    await store.save('old', { clientId: 'app', request: '{}' }, 100);
    now = 200;
    await store.save('new', { clientId: 'app', request: '{}' }, 100);
    expect(store.handles).toEqual(['new']);
  });
});
