import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionDecider } from '@idp/domain';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from './command-runner';
import type { RequestStamp } from './request-stamp';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const start = (sid: string) => ({
  type: 'StartSession' as const,
  sid,
  sub: 'u1',
  amr: ['pwd'],
  lifetimes: { idleSeconds: 1_000, absoluteSeconds: 4_000 },
  meta: { now: 1_000, correlationId: 'generated-by-the-command' },
});

describe('events decided inside a request', () => {
  let dir: string;
  let store: EventStore;
  // The request being served, as InfraModule's runner reads it from observability's context.
  let context: RequestStamp | undefined;
  const requestContext = () => context;
  beforeEach(async () => {
    context = undefined;
    dir = mkdtempSync(join(tmpdir(), 'request-stamp-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carry the request id as correlation id and its traceparent, through the store and the outbox', async () => {
    const runner = new CommandRunner(store, { requestContext });
    context = { requestId: 'req-abc', traceparent: TRACEPARENT };
    await runner.runNew(sessionDecider, 'session-s1', start('s1'));
    const [stored] = await store.readStream('session-s1');
    expect(stored).toMatchObject({ correlationId: 'req-abc', traceparent: TRACEPARENT });
  });

  it('keep their own correlation id outside a request, with no traceparent', async () => {
    const runner = new CommandRunner(store, { requestContext });
    await runner.runNew(sessionDecider, 'session-s2', start('s2'));
    const [stored] = await store.readStream('session-s2');
    expect(stored?.correlationId).toBe('generated-by-the-command');
    expect(stored).not.toHaveProperty('traceparent');
  });
});
