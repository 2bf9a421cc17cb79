import { Controller, Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { freshEventMeta, SessionStarted, TOPICS, type DomainEvent } from '@idp/contracts';
import { InProcessEventBus, silentBusLogger } from '@idp/bus';
import { currentContext, type RequestContext } from '@idp/observability';
import { EventBusServer } from './event-bus.server';
import { eventContext } from './event-context';
import { OnEvent } from './on-event.decorator';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

@Injectable()
class Seen {
  readonly contexts: (RequestContext | undefined)[] = [];
}

@Controller()
class Recorder {
  constructor(private readonly seen: Seen) {}
  @OnEvent('ctx', TOPICS.session)
  async on(@Payload() _e: DomainEvent) {
    await new Promise((r) => setTimeout(r, 1));
    this.seen.contexts.push(currentContext());
  }
}

@Module({ controllers: [Recorder], providers: [Seen] })
class TestModule {}

const event = ({ correlationId, ...meta }: { correlationId: string; traceparent?: string }) => ({
  ...SessionStarted.create(
    { sid: 's1', sub: 'u', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
    freshEventMeta(correlationId, meta),
  ),
  stream: 'session-s1',
  streamVersion: 1,
});

describe('EventBusServer: each handler runs in the context of its event', () => {
  it('continues the request id and trace context carried by the message', async () => {
    const bus = new InProcessEventBus({ logger: silentBusLogger });
    await bus.start();
    const app: INestMicroservice = await NestFactory.createMicroservice(TestModule, {
      strategy: new EventBusServer({ bus }),
      logger: false,
    });
    try {
      await app.listen();
      const value = event({ correlationId: 'logout-123', traceparent: TRACEPARENT });
      await bus.publish(TOPICS.session, [{ key: value.stream, value }]);
      const seen = app.get(Seen);
      for (let i = 0; i < 200 && seen.contexts.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(seen.contexts[0]).toMatchObject({ requestId: 'logout-123', traceparent: TRACEPARENT });
    } finally {
      await app.close();
      await bus.close();
    }
  });
});

describe('eventContext', () => {
  it('prefers the message headers, falls back to the envelope, and validates both', () => {
    const e = event({
      correlationId: 'from-envelope',
      traceparent: TRACEPARENT,
    }) as unknown as DomainEvent;
    expect(eventContext(e, undefined)).toMatchObject({
      requestId: 'from-envelope',
      traceparent: TRACEPARENT,
    });
    expect(eventContext(e, { 'x-request-id': 'from-header' }).requestId).toBe('from-header');
    const bad = eventContext(e, { 'x-request-id': 'has space', traceparent: 'junk' });
    expect(bad.requestId).not.toBe('has space');
    expect(bad.traceparent).not.toBe('junk');
  });
});
