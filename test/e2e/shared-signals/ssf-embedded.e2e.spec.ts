import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import {
  SESSION_RPC,
  SSF_DELIVERY_PUSH,
  SSF_EVENT_TYPES,
  SSF_RPC,
  type SessionRpcClient,
  type SsfRpcClient,
} from '@idp/contracts';
import { freePort } from '../support/service-process';
import { SetReceivers } from './set-receivers';

jest.setTimeout(120_000);

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

  beforeAll(async () => {
    await receivers.listen();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { app } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: base,
        LOG_LEVEL: 'warn',
        SSF_BACKOFF_BASE_MS: '100',
        SSF_BACKOFF_CAP_MS: '200',
      }),
    );
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
});
