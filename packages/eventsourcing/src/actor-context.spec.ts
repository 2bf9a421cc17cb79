import type { Actor, PendingEvent } from '@idp/contracts';
import type { EventStore } from '@idp/eventstore';
import { actingAs, currentActor, outsideActor, runAsActor, stampingActors } from './actor-context';

const ops: Actor = { kind: 'client', client_id: 'ops' };
const event = (id: string) =>
  ({
    id,
    type: 'x.y',
    version: 1,
    occurredAt: 'now',
    correlationId: 'c',
    data: {},
  }) as PendingEvent;

function recordingStore() {
  const appended: PendingEvent[][] = [];
  const store = {
    append: jest.fn(async (_s: string, _v: number | 'any', events: readonly PendingEvent[]) => {
      appended.push([...events]);
      return { nextVersion: events.length, positions: [] };
    }),
    ready: jest.fn(async () => true),
  } as unknown as EventStore;
  return { store, appended };
}

describe('the admin caller on events (ADR 0017)', () => {
  it('names the actor of the call on every event appended inside it, and on none outside', async () => {
    const { store, appended } = recordingStore();
    const stamped = stampingActors(store);
    await stamped.append('s', 0, [event('a')]);
    await runAsActor(ops, async () => {
      await new Promise((r) => setTimeout(r, 1)); // across an await, as a real command runs
      await stamped.append('s', 1, [event('b'), event('c')]);
    });
    await runAsActor({ kind: 'admin_token' }, () => stamped.append('s', 3, [event('d')]));
    expect(appended.map((batch) => batch.map((e) => [e.id, e.actor]))).toEqual([
      [['a', undefined]],
      [
        ['b', ops],
        ['c', ops],
      ],
      [['d', { kind: 'admin_token' }]],
    ]);
    // Everything else passes through to the store itself.
    await expect(stamped.ready()).resolves.toBe(true);
  });

  it('runs RPC handlers as the actor their request names', async () => {
    const handlers = actingAs({
      who: async (_request: { actor?: Actor; n: number }) => currentActor(),
    });
    await expect(handlers.who({ n: 1, actor: ops })).resolves.toEqual(ops);
    await expect(handlers.who({ n: 1 })).resolves.toBeUndefined();
  });

  it('leaves work an admin call only sets going without the actor', async () => {
    const seen = await runAsActor(ops, async () => outsideActor(() => currentActor()));
    expect(seen).toBeUndefined();
  });
});
