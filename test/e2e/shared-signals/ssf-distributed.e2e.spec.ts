import {
  SessionRpc,
  SSF_DELIVERY_PUSH,
  SSF_EVENT_TYPES,
  SsfRpc,
  type SessionRpcClient,
  type SsfRpcClient,
} from '@idp/contracts';
import { grpcClient, silentRpcLogger } from '@idp/rpc';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { freePort } from '../support/service-process';
import { SetReceivers } from './set-receivers';

jest.setTimeout(240_000);

/**
 * The Shared Signals transmitter in the distributed mode, over real Kafka
 * and PostgreSQL: session-service serves SsfRpc over gRPC, its
 * `session-service.ssf` consumer turns session.ended (from the outbox,
 * through Kafka) into a SET that token-service signs, and the receiver
 * verifies it against auth-api's JWKS (RFC 8935 push).
 */
describe('Shared Signals push delivery (distributed)', () => {
  let stack: DistributedStack;
  let ssf: SsfRpcClient & { close(): void };
  let session: SessionRpcClient & { close(): void };
  let issuer = '';
  const receivers = new SetReceivers(() => issuer);

  beforeAll(async () => {
    await receivers.listen();
    const authPort = await freePort();
    issuer = `http://127.0.0.1:${authPort}`;
    stack = await startDistributedStack({
      name: 'ssf',
      issuer,
      authPort,
      env: { SSF_BACKOFF_BASE_MS: '200', SSF_BACKOFF_CAP_MS: '1000', SSF_POLL_MS: '200' },
    });
    const address = stack.env['SESSION_SERVICE_GRPC_URL']!;
    ssf = grpcClient(SsfRpc, { address, logger: silentRpcLogger });
    session = grpcClient(SessionRpc, { address, logger: silentRpcLogger });
  }, 180_000);

  afterAll(async () => {
    ssf?.close();
    session?.close();
    await stack?.stop();
    await receivers.close();
  });

  it('session.ended → a signed session-revoked SET at the receiver, once, with its header', async () => {
    const stream = await ssf.createStream({
      clientId: 'rs-dist',
      config: {
        events_requested: [SSF_EVENT_TYPES.sessionRevoked],
        delivery: {
          method: SSF_DELIVERY_PUSH,
          endpoint_url: receivers.urlOf('rs-dist'),
          authorization_header: 'Bearer dist-secret',
        },
      },
    });
    expect(stream).not.toHaveProperty('delivery.authorization_header');
    const started = await session.startSession({ sub: 'ssf-dist-user', amr: ['pwd'] });
    const ended = await session.endSession({ sid: started.sid, reason: 'admin' });
    expect(ended).toBeDefined();

    const [set] = await receivers.waitFor('rs-dist', 1, 60_000);
    expect(set!.typ).toBe('secevent+jwt');
    expect(set!.authorization).toBe('Bearer dist-secret');
    expect(set!.payload).toMatchObject({
      iss: issuer,
      aud: 'rs-dist',
      sub_id: {
        format: 'complex',
        user: { format: 'iss_sub', iss: issuer, sub: 'ssf-dist-user' },
        session: { format: 'opaque', id: started.sid },
      },
      events: { [SSF_EVENT_TYPES.sessionRevoked]: expect.any(Object) },
    });
    expect(set!.payload['txn']).toEqual(expect.any(String));
    // Delivered once: the row is keyed by (stream, source event).
    await new Promise((r) => setTimeout(r, 1000));
    expect(receivers.to('rs-dist')).toHaveLength(1);
    expect(receivers.rejected).toEqual([]);
    const { streams } = await ssf.readStreams({ clientId: 'rs-dist' });
    expect(streams.map((s) => s.stream_id)).toEqual([stream.stream_id]);
  });
});
