import { Client } from 'pg';
import { backchannelSeed, writeSeedFile } from '@idp/testing';
import { sessionStream } from '@idp/domain';
import { kafka, QUICK_GROUP_TAKEOVER } from '../support/infra';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { freePort, waitFor } from '../support/service-process';
import {
  adminFetch,
  ADMIN_TOKEN,
  grpcClients,
  LogoutReceivers,
  REDIRECT_URI,
  sessionJoinedBy,
  USER_SUB,
} from '../logout/backchannel.support';

jest.setTimeout(300_000);

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** Joined, and heard of by session-service, before anything goes wrong. */
const EARLY = range('early-', 3);
/** Sign in while Kafka is down: session-service cannot hear of them before the logout. */
const DURING_OUTAGE = range('outage-', 5);
/** Get their tokens in the same instant as the logout. */
const RACING = range('race-', 12);

/** Clients that get an ID token and an access token straight from /authorize, with a logout URI. */
function seedFile(uriOf: (clientId: string) => string): string {
  const rps = [...EARLY, ...DURING_OUTAGE, ...RACING].map((clientId) => ({
    clientId,
    uri: uriOf(clientId),
  }));
  const seed = backchannelSeed(rps, {
    redirectUri: REDIRECT_URI,
    user: { sub: USER_SUB, username: 'late-user', password: 'late-user-password-long-enough' },
    responseTypes: ['id_token', 'id_token token'],
  });
  return writeSeedFile(seed, 'idp-late-join-');
}

/**
 * Issue #12, item 1 (guarantee 3), distributed mode over real Kafka,
 * PostgreSQL and Redis: the logout reaches every RP that received tokens in
 * the session, including those whose join session-service had not heard of
 * when the session ended, because their events were held up by a Kafka outage
 * or were simply still in flight. Their tokens end with the session as well.
 */
describe('logout reaches clients that joined late (issue #12)', () => {
  let stack: DistributedStack;
  let rpc: ReturnType<typeof grpcClients>;
  let issuer = '';
  const rps = new LogoutReceivers(() => issuer);

  beforeAll(async () => {
    await rps.listen();
    const authPort = await freePort();
    issuer = `http://127.0.0.1:${authPort}`;
    stack = await startDistributedStack({
      name: 'latejoin',
      seedFile: seedFile((clientId) => rps.uriOf(clientId)),
      issuer,
      authPort,
      env: {
        ADMIN_TOKEN,
        BACKCHANNEL_BACKOFF_BASE_MS: '200',
        BACKCHANNEL_POLL_MS: '200',
        ...QUICK_GROUP_TAKEOVER,
      },
    });
    rpc = grpcClients(stack.env);
  }, 180_000);

  afterAll(async () => {
    kafka.start(); // whatever happened, leave the broker running for the next suite
    rpc?.close();
    await stack?.stop();
    await rps.close();
  }, 180_000);

  /** Tokens for `clientId` in the session, as /authorize mints them after a login. */
  async function signIn(sid: string, authTime: number, clientId: string): Promise<string> {
    const res = await rpc.tokens.authorize({
      clientId,
      sub: USER_SUB,
      sid,
      authTime,
      amr: ['pwd'],
      scope: ['openid'],
      redirectUri: REDIRECT_URI,
      redirectUriSupplied: true,
      responseType: 'id_token token',
      nonce: `n-${clientId}`,
    });
    if (!res.access_token || !res.id_token) throw new Error(`no tokens for ${clientId}`);
    return res.access_token;
  }

  /** auth-api's /userinfo status for an access token: 401 once its grant is revoked. */
  const userinfoStatus = async (accessToken: string) =>
    (await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }))
      .status;

  async function sessionEventTypes(sid: string): Promise<string[]> {
    const pg = new Client({ connectionString: stack.env['DATABASE_URL'] });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ type: string }>(
        `SELECT type FROM "${stack.env['DATABASE_SCHEMA']}".events WHERE stream = $1 ORDER BY stream_version`,
        [sessionStream(sid)],
      );
      return rows.map((r) => r.type);
    } finally {
      await pg.end();
    }
  }

  it('RPs that sign in during a Kafka outage, and a logout in the same outage: every RP gets its logout token', async () => {
    const sid = await sessionJoinedBy(rpc, EARLY);
    const { session } = await rpc.session.getSession({ sid });
    const authTime = session!.authTime;

    kafka.stop();
    let lateTokens: string[];
    try {
      // Issuance goes on through the outbox; session-service hears nothing of these joins.
      lateTokens = await Promise.all(DURING_OUTAGE.map((c) => signIn(sid, authTime, c)));
      const ended = await adminFetch(
        stack.auth.adminUrl,
        'POST',
        `/sessions/${encodeURIComponent(sid)}/end`,
      );
      expect(ended.status).toBe(200);
      expect(await ended.json()).toEqual({ ended: true });
    } finally {
      kafka.start();
    }
    // Only the early clients were known when the session ended; the others must be told too.
    await rps.waitDelivered([...EARLY, ...DURING_OUTAGE], 150_000);
    for (const clientId of [...EARLY, ...DURING_OUTAGE]) {
      expect(rps.deliveredTo(clientId).every((r) => r.sid === sid)).toBe(true);
    }
    expect(rps.problems).toEqual([]);
    // The late joins are on the session's own record, and their tokens ended with the session.
    await waitFor('the late joins in the session stream', async () => {
      const types = await sessionEventTypes(sid);
      return types.filter((t) => t === 'session.client_joined_after_end').length ===
        DURING_OUTAGE.length
        ? types
        : undefined;
    });
    for (const token of lateTokens) expect(await userinfoStatus(token)).toBe(401);
  });

  it('tokens minted in the same instant as the logout: every client that got them gets a logout token', async () => {
    const started = await rpc.session.startSession({ sub: USER_SUB, amr: ['pwd'] });
    const minted = new Map<string, string>();
    // Sign-ins and the logout race: the logout starts while the tokens are being minted.
    const signIns = RACING.map(async (clientId, i) => {
      await new Promise((r) => setTimeout(r, i * 3));
      try {
        minted.set(clientId, await signIn(started.sid, started.authTime, clientId));
      } catch {
        // A sign-in may fail once the logout revoked what it was building on; then there is
        // nothing to tell that client.
      }
    });
    await new Promise((r) => setTimeout(r, 15));
    const ended = await adminFetch(
      stack.auth.adminUrl,
      'POST',
      `/sessions/${encodeURIComponent(started.sid)}/end`,
    );
    expect(ended.status).toBe(200);
    await Promise.all(signIns);
    expect(minted.size).toBeGreaterThan(0);

    const told = [...minted.keys()];
    await rps.waitDelivered(told, 60_000);
    for (const clientId of told) {
      expect(rps.deliveredTo(clientId).some((r) => r.sid === started.sid)).toBe(true);
    }
    expect(rps.problems).toEqual([]);
    // No token minted in the session outlives it, whichever side of the logout it landed on.
    await waitFor(
      'every raced token refused at /userinfo',
      async () => {
        const statuses = await Promise.all([...minted.values()].map(userinfoStatus));
        return statuses.every((s) => s === 401);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});
