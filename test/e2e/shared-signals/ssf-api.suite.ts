import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { SSF_DELIVERY_POLL, SSF_DELIVERY_PUSH, SSF_EVENT_TYPES } from '@idp/contracts';
import { CookieBrowser } from '../oidc/browser';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { RP_LOGGED_OUT, signIn } from '../logout/logout.fixtures';
import { discover, rpFor } from '../support/rp';
import { freePort, waitFor } from '../support/service-process';
import { SetReceivers } from './set-receivers';

jest.setTimeout(120_000);

/** A receiver: a registered client with client_credentials and an SSF scope (given by an operator). */
export const RECEIVER = { id: 'rs-ssf', secret: 'rs-ssf-secret-0123456789abcdefghij' };
const READER = { id: 'rs-reader', secret: 'rs-reader-secret-0123456789abcdefgh' };
const OTHER = { id: 'rs-other', secret: 'rs-other-secret-0123456789abcdefghi' };
/** Whose tokens get revoked: JWT access tokens, as a resource server caches them. */
const APP = { id: 'app-jwt', secret: 'app-jwt-secret-0123456789abcdefghij' };
const WEB = { id: 'web-ssf', secret: 'web-ssf-secret-0123456789abcdefghij' };

export function writeSsfSeed(): string {
  const service = (c: { id: string; secret: string }, scope: string, extra = {}) => ({
    client_id: c.id,
    client_secret: c.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope,
    ...extra,
  });
  const seed = {
    clients: [
      service(RECEIVER, 'ssf:manage'),
      service(READER, 'ssf:read'),
      service(OTHER, 'ssf:manage'),
      service(APP, 'reports:read', { access_token_format: 'jwt' }),
      {
        client_id: WEB.id,
        client_secret: WEB.secret,
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [RP_LOGGED_OUT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        access_token_format: 'jwt',
        scope: 'openid profile offline_access',
        skip_consent: true,
      },
    ],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        password: ALICE.password,
        claims: { name: 'Alice Liddell' },
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-ssf-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

export interface RunningProvider {
  stop(): Promise<void>;
}
export type StartProvider = (opts: {
  port: number;
  issuer: string;
  seedFile: string;
  env: Record<string, string>;
}) => Promise<RunningProvider>;

/** Fast retries, so a held or failed SET shows up within the test's patience. */
export const SSF_TEST_ENV = { SSF_BACKOFF_BASE_MS: '100', SSF_BACKOFF_CAP_MS: '200' };

/** How long "nothing arrived" is watched for: several dispatcher rounds. */
const QUIET_MS = 1_500;

/** SSF_POLL_WAIT_MS here: short, so the empty long poll ends within the test's patience. */
const LONG_POLL_MS = 4_000;

/**
 * The Shared Signals API end to end, as a receiver uses it (issue #19):
 * discovery, an access token with ssf:manage, a push stream verified with
 * its state, then SETs for /revoke and logout, signed with our JWKS, held
 * while paused, dropped while disabled, none after delete; a poll stream
 * fetched and acknowledged (RFC 8936); and what the edge refuses.
 */
export function ssfApiSuite(mode: string, start: StartProvider): void {
  describe(`Shared Signals API (${mode})`, () => {
    let base = '';
    let provider: RunningProvider | undefined;
    const receivers = new SetReceivers(
      () => base,
      (receiver) => receiver.split('.')[0]!,
    );
    let config: Record<string, string>;
    let manage = '';

    beforeAll(async () => {
      await receivers.listen();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      provider = await start({
        port,
        issuer: base,
        seedFile: writeSsfSeed(),
        env: { ...SSF_TEST_ENV, SSF_POLL_WAIT_MS: String(LONG_POLL_MS) },
      });
      manage = await clientToken(RECEIVER, 'ssf:manage');
    }, 120_000);
    afterAll(async () => {
      await provider?.stop();
      await receivers.close();
    });

    async function clientToken(c: { id: string; secret: string }, scope: string) {
      const res = await fetch(`${base}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    }
    const ssf = (method: string, url: string, token: string, body?: unknown) =>
      fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const revoke = async (token: string) => {
      const res = await fetch(`${base}/revoke`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${APP.id}:${APP.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }).toString(),
      });
      expect(res.status).toBe(200);
    };
    const revokedJtis = (receiver: string) =>
      receivers
        .to(receiver)
        .flatMap((r) => {
          const events = r.payload['events'] as Record<
            string,
            { access_tokens?: { jti: string }[] }
          >;
          return events[SSF_EVENT_TYPES.tokenRevoked]?.access_tokens ?? [];
        })
        .map((t) => t.jti);
    /** A fresh JWT access token of the app, revoked at /revoke; its jti. */
    const revokeOne = async () => {
      const token = await clientToken(APP, 'reports:read');
      await revoke(token);
      return decodeJwt(token).jti as string;
    };
    const createPush = async (receiver: string, events: string[]) => {
      const res = await ssf('POST', config['configuration_endpoint']!, manage, {
        events_requested: events,
        delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: receivers.urlOf(receiver) },
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { stream_id: string; events_delivered: string[] };
    };
    const setStatus = async (streamId: string, status: string) => {
      const res = await ssf('POST', config['status_endpoint']!, manage, {
        stream_id: streamId,
        status,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ stream_id: streamId, status });
    };
    const quiet = () => new Promise((r) => setTimeout(r, QUIET_MS));
    /** Signs Alice in at the web RP and logs her out: her session ends (a session-revoked SET). */
    const endSession = async () => {
      const browser = new CookieBrowser();
      const web = rpFor(await discover(base), {
        client_id: WEB.id,
        client_secret: WEB.secret,
        redirect_uris: [REDIRECT_URI],
      });
      const tokens = await signIn(browser, base, web);
      const logout = await browser.fetch(
        `${base}/logout?${new URLSearchParams({
          id_token_hint: tokens.id_token,
          post_logout_redirect_uri: RP_LOGGED_OUT,
        }).toString()}`,
      );
      expect(logout.status).toBe(303);
      const claims = tokens.claims();
      return { sub: claims.sub, sid: String(claims['sid']) };
    };

    it('discovery: the transmitter metadata names our endpoints and JWKS', async () => {
      const res = await fetch(`${base}/.well-known/ssf-configuration`);
      expect(res.status).toBe(200);
      config = (await res.json()) as Record<string, string>;
      expect(config).toMatchObject({
        issuer: base,
        jwks_uri: `${base}/jwks`,
        configuration_endpoint: `${base}/ssf/stream`,
        verification_endpoint: `${base}/ssf/verify`,
      });
      // The OIDC discovery document stays as it was.
      expect(await discover(base)).not.toHaveProperty('ssf_configuration');
    });

    it('a push stream: created, verified with its state, then a /revoke arrives as a signed token-revoked SET', async () => {
      const stream = await createPush('rs-ssf.main', [
        SSF_EVENT_TYPES.tokenRevoked,
        SSF_EVENT_TYPES.sessionRevoked,
        'https://example.com/not-an-event-we-send',
      ]);
      expect([...stream.events_delivered].sort()).toEqual(
        [SSF_EVENT_TYPES.sessionRevoked, SSF_EVENT_TYPES.tokenRevoked].sort(),
      );
      const verify = await ssf('POST', config['verification_endpoint']!, manage, {
        stream_id: stream.stream_id,
        state: 'state-1',
      });
      expect(verify.status).toBe(204);
      const [verification] = await receivers.waitFor('rs-ssf.main');
      expect(verification!.typ).toBe('secevent+jwt');
      expect(verification!.payload['events']).toEqual({
        [SSF_EVENT_TYPES.verification]: { state: 'state-1' },
      });

      const jti = await revokeOne();
      await waitFor('the token-revoked SET', async () => revokedJtis('rs-ssf.main').includes(jti));
      const set = receivers
        .to('rs-ssf.main')
        .find((r) => JSON.stringify(r.payload['events']).includes(jti))!;
      // Verified by SetReceivers against our JWKS, typ, iss and aud = the receiver.
      expect(set.payload).toMatchObject({ iss: base, aud: RECEIVER.id });
      expect(typeof set.payload.jti).toBe('string');
      expect(typeof set.payload.iat).toBe('number');
      expect(typeof set.payload['txn']).toBe('string');
      expect(receivers.rejected).toEqual([]);

      // Logout: the session's end is a CAEP session-revoked SET naming the session.
      const { sid } = await endSession();
      await waitFor('the session-revoked SET', async () =>
        receivers.to('rs-ssf.main').some((r) => {
          const events = r.payload['events'] as Record<string, unknown>;
          const subject = r.payload['sub_id'] as { session?: { id: string } };
          return (
            events[SSF_EVENT_TYPES.sessionRevoked] !== undefined && subject.session?.id === sid
          );
        }),
      );
    });

    it('paused holds SETs until enabled; disabled drops them; deleted sends nothing more', async () => {
      const stream = await createPush('rs-ssf.life', [SSF_EVENT_TYPES.tokenRevoked]);
      await setStatus(stream.stream_id, 'paused');
      const held = await revokeOne();
      await quiet();
      expect(revokedJtis('rs-ssf.life')).not.toContain(held);
      await setStatus(stream.stream_id, 'enabled');
      await waitFor('the held SET', async () => revokedJtis('rs-ssf.life').includes(held));

      // Held while paused, then disabled: a disabled stream holds nothing (SSF 1.0 8.1.2.1),
      // so re-enabling it does not deliver what was held before.
      await setStatus(stream.stream_id, 'paused');
      const heldThenDisabled = await revokeOne();
      await quiet();
      await setStatus(stream.stream_id, 'disabled');
      const dropped = await revokeOne();
      await quiet();
      await setStatus(stream.stream_id, 'enabled');
      const after = await revokeOne();
      await waitFor('the SET after re-enabling', async () =>
        revokedJtis('rs-ssf.life').includes(after),
      );
      expect(revokedJtis('rs-ssf.life')).not.toContain(dropped);
      expect(revokedJtis('rs-ssf.life')).not.toContain(heldThenDisabled);

      const del = await ssf(
        'DELETE',
        `${config['configuration_endpoint']}?stream_id=${stream.stream_id}`,
        manage,
      );
      expect(del.status).toBe(204);
      const gone = await revokeOne();
      await quiet();
      expect(revokedJtis('rs-ssf.life')).not.toContain(gone);
      const read = await ssf(
        'GET',
        `${config['configuration_endpoint']}?stream_id=${stream.stream_id}`,
        manage,
      );
      expect(read.status).toBe(404);
    });

    it('a poll stream (RFC 8936): the receiver fetches the SET, acknowledges it, and it is gone', async () => {
      const res = await ssf('POST', config['configuration_endpoint']!, manage, {
        events_requested: [SSF_EVENT_TYPES.tokenRevoked],
        delivery: { method: SSF_DELIVERY_POLL },
      });
      expect(res.status).toBe(201);
      const stream = (await res.json()) as {
        stream_id: string;
        delivery: { endpoint_url: string };
      };
      expect(stream.delivery.endpoint_url).toBe(
        `${base}/ssf/poll/${encodeURIComponent(stream.stream_id)}`,
      );
      const jti = await revokeOne();
      const jwks = createRemoteJWKSet(new URL(config['jwks_uri']!));
      let sets: Record<string, string> = {};
      await waitFor('a SET to poll', async () => {
        const polled = await ssf('POST', stream.delivery.endpoint_url, manage, {
          maxEvents: 10,
          returnImmediately: true,
        });
        expect(polled.status).toBe(200);
        sets = ((await polled.json()) as { sets: Record<string, string> }).sets;
        return Object.keys(sets).length > 0;
      });
      const [setJti, compact] = Object.entries(sets)[0]!;
      const { payload, protectedHeader } = await jwtVerify(compact, jwks, {
        issuer: base,
        audience: RECEIVER.id,
        typ: 'secevent+jwt',
      });
      expect(protectedHeader.typ).toBe('secevent+jwt');
      expect(payload.jti).toBe(setJti);
      expect(JSON.stringify(payload['events'])).toContain(jti);
      const acked = await ssf('POST', stream.delivery.endpoint_url, manage, {
        ack: [setJti, 'a-jti-never-sent'],
        returnImmediately: true,
      });
      expect(acked.status).toBe(200);
      expect(((await acked.json()) as { sets: object }).sets).toEqual({});
      // Another receiver cannot poll it.
      const other = await clientToken(OTHER, 'ssf:manage');
      expect((await ssf('POST', stream.delivery.endpoint_url, other, {})).status).toBe(404);
    });

    it('a long poll (RFC 8936 returnImmediately false) is held until a /revoke queues its SET, else answered empty at SSF_POLL_WAIT_MS', async () => {
      const res = await ssf('POST', config['configuration_endpoint']!, manage, {
        events_requested: [SSF_EVENT_TYPES.tokenRevoked],
        delivery: { method: SSF_DELIVERY_POLL },
      });
      expect(res.status).toBe(201);
      const url = ((await res.json()) as { delivery: { endpoint_url: string } }).delivery
        .endpoint_url;
      const poll = async (body: object) => {
        const started = Date.now();
        const answer = await ssf('POST', url, manage, body);
        expect(answer.status).toBe(200);
        const json = (await answer.json()) as {
          sets: Record<string, string>;
          moreAvailable: boolean;
        };
        return { ...json, at: Date.now(), ms: Date.now() - started };
      };

      // Nothing comes: an empty answer at the bound, not before.
      const empty = await poll({ returnImmediately: false });
      expect({ sets: empty.sets, moreAvailable: empty.moreAvailable }).toEqual({
        sets: {},
        moreAvailable: false,
      });
      expect(empty.ms).toBeGreaterThanOrEqual(LONG_POLL_MS - 100);
      expect(empty.ms).toBeLessThan(LONG_POLL_MS + 2_000);

      // A revocation while a poll is held: answered with its SET soon after, long before the bound.
      const held = poll({ returnImmediately: false, maxEvents: 10 });
      await new Promise((r) => setTimeout(r, 300));
      const jti = await revokeOne();
      const revokedAt = Date.now();
      const answered = await held;
      const payloads = Object.values(answered.sets).map((set) => JSON.stringify(decodeJwt(set)));
      expect(payloads.some((p) => p.includes(jti))).toBe(true);
      expect(answered.at - revokedAt).toBeLessThan(1_500);
      await poll({ ack: Object.keys(answered.sets), returnImmediately: true });
      // Within the receiver's stream limit for the tests after this one.
      const id = decodeURIComponent(url.split('/').pop()!);
      const del = await ssf(
        'DELETE',
        `${config['configuration_endpoint']}?stream_id=${id}`,
        manage,
      );
      expect(del.status).toBe(204);
    });

    it('verification sooner than min_verification_interval is 429 with Retry-After (SSF 1.0 8.1.4.2)', async () => {
      const stream = await createPush('rs-ssf.verify', [SSF_EVENT_TYPES.tokenRevoked]);
      const read = await ssf(
        'GET',
        `${config['configuration_endpoint']}?stream_id=${stream.stream_id}`,
        manage,
      );
      expect(
        ((await read.json()) as { min_verification_interval: number }).min_verification_interval,
      ).toBe(60);
      const verify = () =>
        ssf('POST', config['verification_endpoint']!, manage, { stream_id: stream.stream_id });
      expect((await verify()).status).toBe(204);
      const again = await verify();
      expect(again.status).toBe(429);
      const retryAfter = Number(again.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await again.json()).toMatchObject({ error: 'temporarily_unavailable' });
      // The first verification SET arrives; the refused one never does.
      await receivers.waitFor('rs-ssf.verify');
      await quiet();
      expect(receivers.to('rs-ssf.verify')).toHaveLength(1);
      const del = await ssf(
        'DELETE',
        `${config['configuration_endpoint']}?stream_id=${stream.stream_id}`,
        manage,
      );
      expect(del.status).toBe(204);
    });

    it('a stream that asks for a subject format gets every SET about a user or a client in it', async () => {
      const created = await ssf('POST', config['configuration_endpoint']!, manage, {
        events_requested: [SSF_EVENT_TYPES.tokenRevoked, SSF_EVENT_TYPES.sessionRevoked],
        delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: receivers.urlOf('rs-ssf.fmt') },
        format: 'iss_sub',
      });
      expect(created.status).toBe(201);
      const stream = (await created.json()) as { stream_id: string; format?: string };
      expect(stream.format).toBe('iss_sub');
      const subjects = (eventType: string) =>
        receivers
          .to('rs-ssf.fmt')
          .filter((r) => (r.payload['events'] as Record<string, unknown>)[eventType] !== undefined)
          .map((r) => r.payload['sub_id']);

      // A client_credentials token has no user: iss_sub names the client, as its JWT's sub does.
      const jti = await revokeOne();
      await waitFor('the token-revoked SET', async () => revokedJtis('rs-ssf.fmt').includes(jti));
      expect(subjects(SSF_EVENT_TYPES.tokenRevoked)).toEqual([
        { format: 'iss_sub', iss: base, sub: APP.id },
      ]);
      const first = await endSession();
      await waitFor(
        'the session-revoked SET',
        async () => subjects(SSF_EVENT_TYPES.sessionRevoked).length > 0,
      );
      expect(subjects(SSF_EVENT_TYPES.sessionRevoked)).toEqual([
        { format: 'iss_sub', iss: base, sub: first.sub },
      ]);

      // PATCH changes it for the SETs queued from then on; GET reads it back.
      const patched = await ssf('PATCH', config['configuration_endpoint']!, manage, {
        stream_id: stream.stream_id,
        format: 'opaque',
      });
      expect(patched.status).toBe(200);
      const read = await ssf(
        'GET',
        `${config['configuration_endpoint']}?stream_id=${stream.stream_id}`,
        manage,
      );
      expect(await read.json()).toMatchObject({ format: 'opaque' });
      const second = await endSession();
      await waitFor(
        'the second session-revoked SET',
        async () => subjects(SSF_EVENT_TYPES.sessionRevoked).length > 1,
      );
      expect(subjects(SSF_EVENT_TYPES.sessionRevoked)[1]).toEqual({
        format: 'opaque',
        id: second.sid,
      });
      expect(receivers.rejected).toEqual([]);

      // A format we cannot build for every event is refused, and the stream keeps its own.
      const refused = await ssf('PATCH', config['configuration_endpoint']!, manage, {
        stream_id: stream.stream_id,
        format: 'email',
      });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'invalid_request' });
      // Within the receiver's stream limit for the tests after this one.
      const del = await ssf(
        'DELETE',
        `${config['configuration_endpoint']}?stream_id=${stream.stream_id}`,
        manage,
      );
      expect(del.status).toBe(204);
    });

    it('refuses what an attacker would try', async () => {
      const stream = await createPush('rs-ssf.neg', [SSF_EVENT_TYPES.tokenRevoked]);
      const at = (id: string) => `${config['configuration_endpoint']}?stream_id=${id}`;
      // Another receiver's stream is not found, never forbidden.
      const other = await clientToken(OTHER, 'ssf:manage');
      expect((await ssf('GET', at(stream.stream_id), other)).status).toBe(404);
      expect((await ssf('DELETE', at(stream.stream_id), other)).status).toBe(404);
      // Read-only scope cannot write; it reads its own (none).
      const reader = await clientToken(READER, 'ssf:read');
      expect((await ssf('GET', config['configuration_endpoint']!, reader)).status).toBe(200);
      const write = await ssf('POST', config['configuration_endpoint']!, reader, {
        delivery: { method: SSF_DELIVERY_POLL },
      });
      expect(write.status).toBe(403);
      expect(write.headers.get('www-authenticate')).toContain('insufficient_scope');
      // A token without an SSF scope; a revoked token; no token.
      const app = await clientToken(APP, 'reports:read');
      expect((await ssf('GET', config['configuration_endpoint']!, app)).status).toBe(403);
      await revoke(app);
      expect((await ssf('GET', config['configuration_endpoint']!, app)).status).toBe(401);
      expect((await fetch(config['configuration_endpoint']!)).status).toBe(401);
      // A push endpoint on an internal address that is not allow-listed.
      const internal = await ssf('POST', config['configuration_endpoint']!, manage, {
        delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: 'http://10.1.2.3/events' },
      });
      expect(internal.status).toBe(400);
      // Not JSON; a subject without a format.
      const form = await fetch(config['configuration_endpoint']!, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${manage}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'delivery=x',
      });
      expect(form.status).toBe(415);
      const subject = await ssf('POST', config['add_subject_endpoint']!, manage, {
        stream_id: stream.stream_id,
        subject: { sub: 'x' },
      });
      expect(subject.status).toBe(400);
    });
  });
}
