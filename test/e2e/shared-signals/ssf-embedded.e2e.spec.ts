import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { ssfStream } from '@idp/domain';
import type { EventStore } from '@idp/eventstore';
import {
  SESSION_RPC,
  SSF_DELIVERY_POLL,
  SSF_DELIVERY_PUSH,
  SSF_EVENT_TYPES,
  SSF_RPC,
  type SessionRpcClient,
  type SsfRpcClient,
} from '@idp/contracts';
import { freePort } from '../support/service-process';
import { SetReceivers } from './set-receivers';

jest.setTimeout(120_000);

const claimsOf = (jws: string): unknown =>
  JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));

/**
 * The Shared Signals transmitter in the embedded mode (SQLite tables,
 * in-process bus and RPC): a session ends and the receiver's push stream
 * gets a signed CAEP session-revoked SET (RFC 8935), verified with our JWKS.
 */
describe('Shared Signals push delivery (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-ssf-embedded-'));
  let base = '';
  const receivers = new SetReceivers(() => base);
  let close: () => Promise<void> = async () => undefined;
  let ssf: SsfRpcClient;
  let session: SessionRpcClient;
  let events: EventStore;

  beforeAll(async () => {
    await receivers.listen();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { app, eventStore } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: base,
        LOG_LEVEL: 'warn',
        SSF_BACKOFF_BASE_MS: '100',
        SSF_BACKOFF_CAP_MS: '200',
        SSF_MAX_STREAMS_PER_RECEIVER: '2',
        // demo-service: client_credentials, client_secret_basic.
        SEED_FILE: join(__dirname, '..', '..', '..', 'examples', 'seed.json'),
      }),
    );
    events = eventStore;
    ssf = app.get(SSF_RPC);
    session = app.get(SESSION_RPC);
    close = () => app.close();
  });

  afterAll(async () => {
    await close();
    await receivers.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pushStream = (clientId: string, events: string[] = [SSF_EVENT_TYPES.sessionRevoked]) =>
    ssf.createStream({
      clientId,
      config: {
        events_requested: events,
        delivery: {
          method: SSF_DELIVERY_PUSH,
          endpoint_url: receivers.urlOf(clientId),
          authorization_header: `Bearer secret-of-${clientId}`,
        },
      },
    });

  it("session.ended → a signed session-revoked SET pushed to the stream, with the receiver's header", async () => {
    const stream = await pushStream('rs-one');
    expect(stream.events_delivered).toEqual([SSF_EVENT_TYPES.sessionRevoked]);
    expect(JSON.stringify(stream)).not.toContain('secret-of');
    const started = await session.startSession({ sub: 'ssf-user-1', amr: ['pwd'] });
    await session.endSession({ sid: started.sid, reason: 'admin' });

    const [set] = await receivers.waitFor('rs-one');
    expect(set!.typ).toBe('secevent+jwt');
    expect(set!.contentType).toBe('application/secevent+jwt');
    expect(set!.accept).toBe('application/json');
    expect(set!.authorization).toBe('Bearer secret-of-rs-one');
    expect(set!.payload).toMatchObject({
      iss: base,
      aud: 'rs-one',
      sub_id: {
        format: 'complex',
        user: { format: 'iss_sub', iss: base, sub: 'ssf-user-1' },
        session: { format: 'opaque', id: started.sid },
      },
      events: {
        [SSF_EVENT_TYPES.sessionRevoked]: expect.objectContaining({ initiating_entity: 'admin' }),
      },
    });
    expect(typeof set!.payload.jti).toBe('string');
    expect(typeof set!.payload['txn']).toBe('string');
    expect(receivers.rejected).toEqual([]);
  });

  it('sends nothing to a stream that did not request the event type, and verification SETs always', async () => {
    const other = await pushStream('rs-claims', [SSF_EVENT_TYPES.tokenClaimsChange]);
    const started = await session.startSession({ sub: 'ssf-user-2', amr: ['pwd'] });
    await session.endSession({ sid: started.sid, reason: 'admin' });
    await ssf.requestVerification({
      clientId: 'rs-claims',
      streamId: other.stream_id,
      state: 'st-1',
    });
    const [verification] = await receivers.waitFor('rs-claims');
    expect(verification!.payload['events']).toEqual({
      [SSF_EVENT_TYPES.verification]: { state: 'st-1' },
    });
    expect(verification!.payload['sub_id']).toEqual({ format: 'opaque', id: other.stream_id });
    // The session-revoked SET of this session went to rs-one only.
    await receivers.waitFor('rs-one', 2);
    expect(receivers.to('rs-claims')).toHaveLength(1);
  });

  it('a stream of another receiver is not found', async () => {
    const mine = await pushStream('rs-owner');
    await expect(
      ssf.readStreams({ clientId: 'rs-intruder', streamId: mine.stream_id }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      ssf.deleteStream({ clientId: 'rs-intruder', streamId: mine.stream_id }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('keeps the authorization header sealed in the event log and out of every answer', async () => {
    const stream = await pushStream('rs-sealed');
    const stored = JSON.stringify(await events.readStream(ssfStream(stream.stream_id)));
    expect(stored).toContain('sealedAuthorization');
    expect(stored).not.toContain('secret-of-rs-sealed');
    const { streams } = await ssf.readStreams({ clientId: 'rs-sealed' });
    expect(JSON.stringify(streams)).not.toContain('secret-of');
  });

  it('holds SETs while paused, tells the receiver, and delivers them once enabled', async () => {
    const stream = await pushStream('rs-paused');
    await ssf.updateStatus({ clientId: 'rs-paused', streamId: stream.stream_id, status: 'paused' });
    const started = await session.startSession({ sub: 'ssf-user-3', amr: ['pwd'] });
    await session.endSession({ sid: started.sid, reason: 'admin' });
    await new Promise((r) => setTimeout(r, 500));
    expect(receivers.to('rs-paused')).toEqual([]);
    await ssf.updateStatus({
      clientId: 'rs-paused',
      streamId: stream.stream_id,
      status: 'enabled',
    });
    const sets = await receivers.waitFor('rs-paused', 3);
    const types = sets.map((s) => Object.keys(s.payload['events'] as object)[0]);
    // The paused and enabled stream-updated SETs, and the held session-revoked one.
    expect(types.sort()).toEqual(
      [
        SSF_EVENT_TYPES.sessionRevoked,
        SSF_EVENT_TYPES.streamUpdated,
        SSF_EVENT_TYPES.streamUpdated,
      ].sort(),
    );
    expect(await ssf.readStatus({ clientId: 'rs-paused', streamId: stream.stream_id })).toEqual({
      stream_id: stream.stream_id,
      status: 'enabled',
    });
  });

  it('sends nothing about a removed subject, and again once it is added back', async () => {
    const stream = await pushStream('rs-subjects');
    const user = { format: 'iss_sub', iss: base, sub: 'ssf-user-4' };
    await ssf.removeSubject({ clientId: 'rs-subjects', streamId: stream.stream_id, subject: user });
    const first = await session.startSession({ sub: 'ssf-user-4', amr: ['pwd'] });
    await session.endSession({ sid: first.sid, reason: 'admin' });
    await ssf.addSubject({ clientId: 'rs-subjects', streamId: stream.stream_id, subject: user });
    const second = await session.startSession({ sub: 'ssf-user-4', amr: ['pwd'] });
    await session.endSession({ sid: second.sid, reason: 'admin' });
    const [set] = await receivers.waitFor('rs-subjects');
    expect((set!.payload['sub_id'] as { session: { id: string } }).session.id).toBe(second.sid);
    await new Promise((r) => setTimeout(r, 300));
    expect(receivers.to('rs-subjects')).toHaveLength(1);
    await expect(
      ssf.removeSubject({
        clientId: 'rs-subjects',
        streamId: stream.stream_id,
        subject: { format: 'phone_number', phone_number: '+1' },
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('serves a poll stream (RFC 8936): the same SET until acknowledged, setErrs dead-letter, admin retry', async () => {
    const stream = await ssf.createStream({
      clientId: 'rs-poll',
      config: {
        events_requested: [SSF_EVENT_TYPES.sessionRevoked],
        delivery: { method: SSF_DELIVERY_POLL },
      },
    });
    expect(stream.delivery).toEqual({
      method: SSF_DELIVERY_POLL,
      endpoint_url: `${base}/ssf/poll/${stream.stream_id}`,
    });
    const ref = { clientId: 'rs-poll', streamId: stream.stream_id };
    for (const sub of ['ssf-user-5', 'ssf-user-6']) {
      const started = await session.startSession({ sub, amr: ['pwd'] });
      await session.endSession({ sid: started.sid, reason: 'admin' });
    }
    const poll = (over: Partial<Parameters<SsfRpcClient['poll']>[0]> = {}) =>
      ssf.poll({ ...ref, ack: [], setErrs: {}, returnImmediately: true, ...over });
    let first = await poll({ maxEvents: 1 });
    for (let i = 0; i < 50 && Object.keys(first.sets).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      first = await poll({ maxEvents: 1 });
    }
    expect(Object.keys(first.sets)).toHaveLength(1);
    const [jti, set] = Object.entries(first.sets)[0]!;
    // Polled again without an ack: the same SET (same jti and claims; an ES256 signature differs each time).
    const again = await poll({ maxEvents: 1 });
    expect(Object.keys(again.sets)).toEqual([jti]);
    expect(claimsOf(again.sets[jti]!)).toEqual(claimsOf(set));
    // Wait for the second session's SET too.
    let both = await poll({ maxEvents: 10 });
    for (let i = 0; i < 50 && Object.keys(both.sets).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      both = await poll({ maxEvents: 10 });
    }
    expect(both.moreAvailable).toBe(false);
    const other = Object.keys(both.sets).find((j) => j !== jti)!;
    const after = await poll({ ack: [jti], setErrs: { [other]: { err: 'invalid_key' } } });
    expect(after.sets).toEqual({});
    const { deliveries } = await ssf.listDeadLetters({ limit: 100 });
    expect(deliveries).toContainEqual(
      expect.objectContaining({
        streamId: stream.stream_id,
        jti: other,
        lastError: 'receiver: invalid_key',
      }),
    );
    expect(JSON.stringify(deliveries)).not.toContain('eyJ');
    await ssf.retryDeadLetter({ streamId: stream.stream_id, jti: other });
    expect(Object.keys((await poll()).sets)).toEqual([other]);
    await expect(
      ssf.retryDeadLetter({ streamId: stream.stream_id, jti: other }),
    ).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      ssf.retryDeadLetter({ streamId: stream.stream_id, jti: 'nope' }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('refuses what an attacker or a careless receiver would try', async () => {
    // Plain http to a public host; an internal address (the issuer is loopback, a private one is not).
    for (const endpoint_url of ['http://rs.example.com/set', 'https://10.1.2.3/set']) {
      await expect(
        ssf.createStream({
          clientId: 'rs-bad',
          config: { delivery: { method: SSF_DELIVERY_PUSH, endpoint_url } },
        }),
      ).rejects.toMatchObject({ status: 400 });
    }
    // Polling a push stream.
    const push = await pushStream('rs-bad');
    await expect(
      ssf.poll({
        clientId: 'rs-bad',
        streamId: push.stream_id,
        ack: [],
        setErrs: {},
        returnImmediately: true,
      }),
    ).rejects.toMatchObject({ status: 400 });
    // Acknowledging another receiver's SETs, or polling its stream.
    await expect(
      ssf.poll({
        clientId: 'rs-intruder',
        streamId: push.stream_id,
        ack: [],
        setErrs: {},
        returnImmediately: true,
      }),
    ).rejects.toMatchObject({ status: 404 });
    // More streams than SSF_MAX_STREAMS_PER_RECEIVER (2).
    await pushStream('rs-bad');
    await expect(pushStream('rs-bad')).rejects.toMatchObject({ status: 409 });
    // A deleted stream is gone, and its id is not found afterwards.
    await ssf.deleteStream({ clientId: 'rs-bad', streamId: push.stream_id });
    await expect(
      ssf.readStatus({ clientId: 'rs-bad', streamId: push.stream_id }),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      ssf.requestVerification({ clientId: 'rs-bad', streamId: push.stream_id }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("RFC 7009 /revoke → a token-revoked SET naming the access token's jti, grant, client and exp", async () => {
    await pushStream('rs-revoke', [SSF_EVENT_TYPES.tokenRevoked]);
    const basic = `Basic ${Buffer.from('demo-service:demo-service-secret-change-me').toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
    const issued = await fetch(`${base}/token`, {
      method: 'POST',
      headers: form,
      body: 'grant_type=client_credentials&scope=reports%3Aread',
    });
    expect(issued.status).toBe(200);
    const { access_token } = (await issued.json()) as { access_token: string };
    const revoked = await fetch(`${base}/revoke`, {
      method: 'POST',
      headers: form,
      body: `token=${encodeURIComponent(access_token)}`,
    });
    expect(revoked.status).toBe(200);
    const [set] = await receivers.waitFor('rs-revoke');
    const event = (set!.payload['events'] as Record<string, Record<string, unknown>>)[
      SSF_EVENT_TYPES.tokenRevoked
    ]!;
    expect(event).toMatchObject({
      client_id: 'demo-service',
      grant_id: expect.any(String),
      reason: expect.any(String),
      exp: expect.any(Number),
      access_tokens: [{ jti: expect.any(String), exp: expect.any(Number) }],
    });
    expect(set!.payload['sub_id']).toMatchObject({
      format: 'complex',
      application: { format: 'opaque', id: 'demo-service' },
    });
    // Never the token itself.
    expect(JSON.stringify(set!.payload)).not.toContain(access_token);
  });
});
