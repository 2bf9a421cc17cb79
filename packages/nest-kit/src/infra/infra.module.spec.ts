import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBus } from '@idp/bus';
import type { Config } from '@idp/config';
import { sessionDecider } from '@idp/domain';
import type { CommandRunner } from '@idp/eventsourcing';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { newContext, runWithContext } from '@idp/observability';
import { COMMAND_RUNNER, InfraModule } from './infra.module';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** The process's command runner as InfraModule wires it (the runner itself is @idp/eventsourcing's). */
describe('InfraModule command runner', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'infra-module-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runnerOf = (eventStore: EventStore): CommandRunner => {
    const { providers = [] } = InfraModule.forRoot({
      config: { KAFKA_TOPIC_PREFIX: '' } as Config,
      bus: {} as EventBus,
      eventStore,
    });
    const provider = providers.find(
      (p) => typeof p === 'object' && 'provide' in p && p.provide === COMMAND_RUNNER,
    );
    return (provider as { useValue: CommandRunner }).useValue;
  };

  it("stamps the events it decides with the observability context's request id and traceparent", async () => {
    const runner = runnerOf(store);
    const context = newContext({ requestId: 'req-abc', traceparent: TRACEPARENT });
    await runWithContext(context, () =>
      runner.runNew(sessionDecider, 'session-s1', {
        type: 'StartSession',
        sid: 's1',
        sub: 'u1',
        amr: ['pwd'],
        lifetimes: { idleSeconds: 1_000, absoluteSeconds: 4_000 },
        meta: { now: 1_000, correlationId: 'generated-by-the-command' },
      }),
    );
    const [stored] = await store.readStream('session-s1');
    expect(stored).toMatchObject({ correlationId: 'req-abc', traceparent: TRACEPARENT });
  });
});
