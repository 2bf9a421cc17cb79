import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { freshEventMeta, RefreshTokenReuseDetected, type DomainEvent } from '@idp/contracts';
import { grantStream, sessionStream } from '@idp/domain';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from '@idp/eventsourcing';
import { SessionService } from './session.service';
import { TokenEventsConsumer } from './token-events.consumer';

const HASH = 'a'.repeat(43);

/**
 * ADR 0038: a refresh token reused under the `end_session` response ends
 * its SSO session, from the `grant.reuse_detected` event token-service
 * appended (over a real SQLite event store). The session's other grants are
 * already revoked by then; session.ended brings back-channel logout.
 */
describe('TokenEventsConsumer: grant.reuse_detected', () => {
  let dir: string;
  let store: EventStore;
  let sessions: SessionService;
  let consumer: TokenEventsConsumer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-session-reuse-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    sessions = new SessionService(new CommandRunner(store), loadConfig({ PORT: '0' }), store);
    consumer = new TokenEventsConsumer(sessions);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const reuse = (sid: string | undefined, response: 'end_session' | 'revoke_grant') =>
    ({
      ...RefreshTokenReuseDetected.create(
        {
          grantId: 'g1',
          clientId: 'rp-a',
          sub: 'u1',
          ...(sid === undefined ? {} : { sid }),
          presentedTokenHash: HASH,
          ip: '203.0.113.5',
          policy: 'end_session',
          response,
        },
        freshEventMeta('corr-theft'),
      ),
      stream: grantStream('g1'),
      streamVersion: 7,
    }) as DomainEvent;

  async function signedIn(): Promise<string> {
    const { sid } = await sessions.start({ sub: 'u1', amr: ['pwd'] });
    await sessions.join(sid, 'rp-a', 'g1', 'c1');
    await sessions.join(sid, 'rp-b', 'g2', 'c2');
    return sid;
  }

  it('end_session: session.ended (refresh_token_reuse) naming every client, caused by the reuse, in its correlation', async () => {
    const sid = await signedIn();
    const event = reuse(sid, 'end_session');
    await consumer.onTokenEvent(event);
    await consumer.onTokenEvent(event); // a redelivery ends nothing twice
    const ended = (await store.readStream(sessionStream(sid))).filter(
      (e) => e.type === 'session.ended',
    );
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      correlationId: 'corr-theft',
      causationId: event.id,
      data: { sid, sub: 'u1', reason: 'refresh_token_reuse', clientIds: ['rp-a', 'rp-b'] },
    });
    expect(ended[0]!.data).not.toHaveProperty('initiatedBy');
    expect(await sessions.get(sid)).toBeNull();
  });

  it('revoke_grant leaves the session alone', async () => {
    const sid = await signedIn();
    await consumer.onTokenEvent(reuse(sid, 'revoke_grant'));
    expect(await sessions.get(sid)).toMatchObject({ sid, clientIds: ['rp-a', 'rp-b'] });
  });
});
