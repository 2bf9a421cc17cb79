import { Client } from 'pg';
import { sessionStream } from '@idp/domain';
import { counterValue } from '../support/metrics';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { freePort, waitFor } from '../support/service-process';
import {
  adminFetch,
  ADMIN_TOKEN,
  grpcClients,
  LogoutReceivers,
  sessionJoinedBy,
  writeBackchannelSeed,
} from './backchannel.support';

jest.setTimeout(240_000);

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const A = range('a-', 3);
const B_REFUSING = 'b-refusing';
const B_503 = 'b-503';
const C = range('c-', 200);
const C_SLOW = C.filter((_, i) => i % 5 === 0);
const D_HANG = 'd-hang';
const D_OK = ['d-ok-0', 'd-ok-1'];

/**
 * OIDC Back-Channel Logout delivery, distributed mode over real Kafka,
 * PostgreSQL and Redis (ARCHITECTURE guarantee 3): every RP of an ended
 * session receives a logout token that validates against our JWKS, across
 * RP outages and a SIGKILL of session-service in the middle of a fan-out;
 * what cannot be delivered ends dead-lettered, visible and retryable.
 */
describe('back-channel logout delivery (distributed)', () => {
  let stack: DistributedStack;
  let rpc: ReturnType<typeof grpcClients>;
  let issuer = '';
  const rps = new LogoutReceivers(() => issuer);
  // An RP whose server is not even listening yet (connections refused).
  const refusing = new LogoutReceivers(() => issuer);

  beforeAll(async () => {
    await rps.listen();
    refusing.port = await freePort();
    const authPort = await freePort();
    issuer = `http://127.0.0.1:${authPort}`;
    const seed = writeBackchannelSeed([
      ...[...A, B_503, ...C, D_HANG, ...D_OK].map((clientId) => ({
        clientId,
        uri: rps.uriOf(clientId),
      })),
      { clientId: B_REFUSING, uri: refusing.uriOf(B_REFUSING) },
    ]);
    stack = await startDistributedStack({
      name: 'bcl',
      seedFile: seed,
      issuer,
      authPort,
      env: {
        ADMIN_TOKEN,
        // Small numbers so the test sees every state within seconds.
        BACKCHANNEL_TIMEOUT_MS: '1000',
        BACKCHANNEL_MAX_ATTEMPTS: '8',
        BACKCHANNEL_BACKOFF_BASE_MS: '200',
        BACKCHANNEL_BACKOFF_CAP_MS: '1000',
        BACKCHANNEL_POLL_MS: '200',
        BACKCHANNEL_CONCURRENCY: '16',
      },
    });
    rpc = grpcClients(stack.env);
  }, 180_000);

  /** The session stream's events as [type, data]. */
  async function sessionEvents(sid: string): Promise<[string, Record<string, unknown>][]> {
    const pg = new Client({ connectionString: stack.env['DATABASE_URL'] });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ type: string; data: Record<string, unknown> }>(
        `SELECT type, data FROM "${stack.env['DATABASE_SCHEMA']}".events WHERE stream = $1 ORDER BY stream_version`,
        [sessionStream(sid)],
      );
      return rows.map((r) => [r.type, r.data]);
    } finally {
      await pg.end();
    }
  }

  afterAll(async () => {
    rpc?.close();
    await stack?.stop();
    await rps.close();
    await refusing.close();
  });

  it('(a) three RPs in one session: each gets one valid logout token for that session', async () => {
    const sid = await sessionJoinedBy(rpc, A);
    const { ended } = await rpc.session.endSession({ sid, reason: 'admin' });
    expect(ended?.clientIds.sort()).toEqual([...A].sort());
    await rps.waitDelivered(A);
    for (const clientId of A) {
      const got = rps.deliveredTo(clientId);
      expect(got).toHaveLength(1);
      expect(got[0]!.sid).toBe(sid);
    }
    expect(new Set(A.map((c) => rps.deliveredTo(c)[0]!.jti)).size).toBe(3);
    // Recorded (and counted) right after the RP answered, in the next batch.
    await waitFor(
      'the delivered counter',
      async () =>
        (await counterValue(stack.session, 'idp_backchannel_logout_delivered_total', {
          client_id: A[0]!,
        })) === 1,
    );
    // Every transition is in the session's own stream, each RP by its token's jti, in batches.
    const listed = async (type: string) =>
      (await sessionEvents(sid))
        .filter(([t]) => t === type)
        .flatMap(([, data]) => data['deliveries'] as { clientId: string; jti: string }[]);
    const jtiOf = (clientId: string) => rps.deliveredTo(clientId)[0]!.jti;
    const expected = A.map((clientId) =>
      expect.objectContaining({ clientId, jti: jtiOf(clientId) }),
    );
    expect(await listed('session.backchannel_logout_scheduled')).toEqual(
      expect.arrayContaining(expected),
    );
    await waitFor(
      'the deliveries journalled',
      async () => (await listed('session.backchannel_logout_delivered')).length === 3,
    );
    expect(await listed('session.backchannel_logout_delivered')).toEqual(
      expect.arrayContaining(expected),
    );
    expect(await listed('session.backchannel_logout_scheduled')).toHaveLength(3);
  });

  it('(b) RPs that are down for a while (503, refused connections) get it once they are back', async () => {
    rps.set(B_503, 'fail503');
    const sid = await sessionJoinedBy(rpc, [B_503, B_REFUSING]);
    await rpc.session.endSession({ sid, reason: 'admin' });
    await waitFor(
      'failed attempts at both',
      async () =>
        (await counterValue(stack.session, 'idp_backchannel_logout_retried_total', {
          client_id: B_503,
        })) >= 2 &&
        (await counterValue(stack.session, 'idp_backchannel_logout_retried_total', {
          client_id: B_REFUSING,
        })) >= 2,
    );
    expect(rps.deliveredTo(B_503)).toHaveLength(0);
    rps.set(B_503, 'ok');
    await refusing.listen(refusing.port);
    await rps.waitDelivered([B_503]);
    await refusing.waitDelivered([B_REFUSING]);
    expect(rps.deliveredTo(B_503)[0]!.sid).toBe(sid);
    expect(refusing.deliveredTo(B_REFUSING)[0]!.sid).toBe(sid);
  });

  it('(d) an RP that hangs is dead-lettered after the configured attempts, the others are not held up; an admin retry delivers it', async () => {
    rps.set(D_HANG, 'hang');
    const sid = await sessionJoinedBy(rpc, [D_HANG, ...D_OK]);
    const endedAt = Date.now();
    await rpc.session.endSession({ sid, reason: 'admin' });
    await rps.waitDelivered(D_OK);
    // Within a second or so, while the hanging RP still holds its first attempt.
    expect(Math.max(...D_OK.map((c) => rps.deliveredTo(c)[0]!.at)) - endedAt).toBeLessThan(3_000);

    const deadLetters = async () => {
      const res = await adminFetch(
        stack.auth.adminUrl,
        'GET',
        '/backchannel/dead-letters?limit=500',
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { deliveries: Record<string, unknown>[] };
      return body.deliveries.filter((d) => d['sid'] === sid);
    };
    const [dead] = await waitFor(
      'dead letter',
      async () => {
        const list = await deadLetters();
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(dead).toMatchObject({
      sid,
      clientId: D_HANG,
      status: 'dead_lettered',
      attempts: 8,
      lastError: 'timeout after 1000 ms',
    });
    expect(dead).not.toHaveProperty('logoutToken');
    expect(
      await counterValue(stack.session, 'idp_backchannel_logout_dead_lettered_total', {
        client_id: D_HANG,
      }),
    ).toBe(1);
    expect(rps.deliveredTo(D_HANG)).toHaveLength(0);

    // The admin API is guarded, and refuses what it cannot retry.
    expect((await fetch(`${stack.auth.adminUrl}/admin/backchannel/dead-letters`)).status).toBe(401);
    const unknown = await adminFetch(
      stack.auth.adminUrl,
      'POST',
      `/backchannel/dead-letters/${sid}/nobody/retry`,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_request' });
    const notDead = await adminFetch(
      stack.auth.adminUrl,
      'POST',
      `/backchannel/dead-letters/${sid}/${D_OK[0]}/retry`,
    );
    expect(notDead.status).toBe(409);

    rps.set(D_HANG, 'ok');
    const retried = await adminFetch(
      stack.auth.adminUrl,
      'POST',
      `/backchannel/dead-letters/${sid}/${D_HANG}/retry`,
    );
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({
      delivery: { sid, clientId: D_HANG, status: 'pending', attempts: 0, jti: dead!['jti'] },
    });
    await rps.waitDelivered([D_HANG]);
    expect(rps.deliveredTo(D_HANG)[0]!.jti).toBe(dead!['jti']);
    expect(await deadLetters()).toEqual([]);
  });

  it('(c) session-service killed (SIGKILL) in the middle of a 200-RP fan-out: after restart every RP is delivered, duplicates keep their jti', async () => {
    for (const c of C_SLOW) rps.set(c, { delayMs: 700 });
    const sid = await sessionJoinedBy(rpc, C);
    await rpc.session.endSession({ sid, reason: 'admin' });
    const deliveredCount = () => C.filter((c) => rps.deliveredTo(c).length > 0).length;
    await waitFor('the fan-out under way', async () => deliveredCount() >= 20, { intervalMs: 10 });
    await stack.session.stop('SIGKILL');
    const atKill = deliveredCount();
    expect(atKill).toBeLessThan(C.length);

    stack.session.start();
    await stack.session.waitReady();
    // Deliveries leased by the dead process come back when their lease runs out (2 × timeout + 10 s).
    await rps.waitDelivered(C, 90_000);
    for (const c of C) {
      const jtis = new Set(rps.deliveredTo(c).map((r) => r.jti));
      expect(jtis.size).toBe(1);
      expect(rps.deliveredTo(c)[0]!.sid).toBe(sid);
    }
    expect(rps.problems).toEqual([]);
  });
});
