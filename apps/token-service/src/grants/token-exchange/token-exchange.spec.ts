import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../../admin/admin.fixtures';
import { ClientRegistry } from '../../clients/client-registry.service';
import { IntrospectionService } from '../../introspection/introspection.service';
import { SessionGrants } from '../../logout/session-grants.service';
import { RevocationService } from '../../revocation/revocation.service';
import {
  basic,
  CLIENT_SECRET,
  codeFlowTokens,
  REDIRECT_URI,
  webClient,
} from '../../revocation/revocation.fixtures';
import { UserDirectory } from '../../users/user-directory.service';
import { UserinfoService } from '../../userinfo/userinfo.service';
import { AuthorizeService } from '../authorize.service';
import { TokenEndpoint } from '../token-endpoint.service';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ENDPOINT = 'http://localhost:3000/token';

/**
 * RFC 8693 inside token-service over the real (SQLite) event store: the
 * delegation chain A -> B -> C, every error of 2.2.2, and revocation that
 * follows the subject token's grant (ADR 0033).
 */
describe('token exchange (RFC 8693)', () => {
  let h: AdminHarness;

  const token = (clientId: string, params: Record<string, string>) =>
    h.app.get(TokenEndpoint).handle({ params, clientAuth: basic(clientId), endpoint: ENDPOINT });
  const serviceToken = async (clientId: string) =>
    (await token(clientId, { grant_type: 'client_credentials' })).access_token;
  const exchange = (clientId: string, params: Record<string, string>) =>
    token(clientId, { grant_type: EXCHANGE, subject_token_type: ACCESS_TOKEN, ...params });
  /** `clientId` exchanges `subjectToken` and names itself the actor (its client_credentials token). */
  const delegate = async (clientId: string, subjectToken: string, params: Record<string, string>) =>
    exchange(clientId, {
      subject_token: subjectToken,
      actor_token: await serviceToken(clientId),
      actor_token_type: ACCESS_TOKEN,
      ...params,
    });
  /** RFC 7009 revocation of `t` by `clientId`. */
  const revoke = (clientId: string, t: string) =>
    h.app.get(RevocationService).revoke({
      token: t,
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/revoke',
    } as never);
  const introspect = async (t: string) =>
    (await h.app.get(IntrospectionService).introspect(t)).record as unknown as Record<
      string,
      unknown
    >;
  const register = (clientId: string, over: Record<string, unknown>) =>
    h.app.get(ClientRegistry).register(webClient(clientId, over) as never, 'admin', CLIENT_SECRET);
  /** A user's code-flow tokens at svc-a under its own SSO session. */
  const userTokens = (sid: string) =>
    codeFlowTokens(h.app, 'svc-a', { sub: 'u1', sid }, basic('svc-a'), ['openid', 'read']);

  beforeAll(async () => {
    h = await startAdminHarness();
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    const exchanging = ['authorization_code', 'refresh_token', 'client_credentials', EXCHANGE];
    await register('svc-a', {
      scope: 'openid read write',
      grant_types: exchanging,
      access_token_format: 'jwt',
      token_exchange: { audiences: ['svc-b', 'svc-x', 'svc-imp'] },
    });
    await register('svc-b', {
      scope: 'openid read write',
      grant_types: ['client_credentials', EXCHANGE],
      response_types: [],
      redirect_uris: [],
      token_exchange: { audiences: ['svc-c'] },
    });
    await register('svc-c', {
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    await register('svc-imp', {
      scope: 'openid read',
      grant_types: ['client_credentials', EXCHANGE],
      response_types: [],
      redirect_uris: [],
      token_exchange: { audiences: ['svc-b'], impersonation: true },
    });
    await register('rp-plain', { scope: 'openid read' });
  }, 30_000);
  afterAll(() => h.close());

  describe('delegation A -> B -> C', () => {
    /** The user's token at svc-a, delegated to svc-b, and on to svc-c with `toCParams`. */
    async function delegationChain(sid: string, toCParams: Record<string, string> = {}) {
      const user = await userTokens(sid);
      const toB = await delegate('svc-a', user.access_token, { audience: 'svc-b' });
      const toC = await delegate('svc-b', toB.access_token, { audience: 'svc-c', ...toCParams });
      return { user, toB, toC };
    }

    it('nests act, targets each audience, and dies with the SSO session', async () => {
      const user = await userTokens('sid-chain');
      const toB = await delegate('svc-a', user.access_token, { audience: 'svc-b' });
      expect(toB).toMatchObject({
        issued_token_type: ACCESS_TOKEN,
        token_type: 'Bearer',
        scope: 'openid read',
      });
      expect(toB.refresh_token).toBeUndefined();
      const claimsB = decodeJwt(toB.access_token);
      expect(claimsB).toMatchObject({
        sub: 'u1',
        aud: ['svc-b'],
        client_id: 'svc-a',
        act: { sub: 'svc-a', client_id: 'svc-a' },
      });

      const toC = await delegate('svc-b', toB.access_token, { resource: 'svc-c', scope: 'read' });
      expect(toC.scope).toBe('read');
      // svc-b's format (opaque): introspection tells the chain.
      expect(await introspect(toC.access_token)).toMatchObject({
        active: true,
        sub: 'u1',
        client_id: 'svc-b',
        aud: ['svc-c'],
        act: { sub: 'svc-b', client_id: 'svc-b', act: { sub: 'svc-a', client_id: 'svc-a' } },
      });
      expect(await h.app.get(UserinfoService).userinfo(toB.access_token)).toMatchObject({
        format: 'json',
      });

      await h.app.get(SessionGrants).revokeEnded('sid-chain');
      for (const t of [user.access_token, toB.access_token, toC.access_token])
        expect(await introspect(t)).toMatchObject({ active: false });
      expect(
        await oauthErrorOf(h.app.get(UserinfoService).userinfo(toB.access_token)),
      ).toMatchObject({ error: 'invalid_token' });
      // An exchange from a token of the ended session is refused too.
      expect(
        await oauthErrorOf(delegate('svc-b', toB.access_token, { audience: 'svc-c' })),
      ).toMatchObject({ error: 'invalid_grant' });
    });

    it('revoking the original grant (RFC 7009 with its refresh token) revokes the exchanged token', async () => {
      const user = await codeFlowTokens(
        h.app,
        'svc-a',
        { sub: 'u1', sid: 'sid-rt' },
        basic('svc-a'),
        ['openid', 'read', 'offline_access'],
      );
      const toB = await delegate('svc-a', user.access_token, { audience: 'svc-b', scope: 'read' });
      expect(await introspect(toB.access_token)).toMatchObject({ active: true });
      await revoke('svc-a', user.refresh_token!);
      expect(await introspect(toB.access_token)).toMatchObject({ active: false });
    });

    it('lets the exchanging client revoke its own exchanged token (RFC 7009), not the grant', async () => {
      const { user, toB, toC } = await delegationChain('sid-own');
      // svc-c holds nothing of this grant: not its token.
      expect(await oauthErrorOf(revoke('svc-c', toC.access_token))).toMatchObject({
        error: 'unauthorized_client',
      });
      await revoke('svc-b', toC.access_token);
      expect(await introspect(toC.access_token)).toMatchObject({ active: false });
      expect(await introspect(toB.access_token)).toMatchObject({ active: true });
      expect(await introspect(user.access_token)).toMatchObject({ active: true });
    });

    it('gives a JWT when requested_token_type is jwt, even for a target that gets opaque tokens', async () => {
      const { toC } = await delegationChain('sid-jwt', { requested_token_type: JWT });
      expect(toC.issued_token_type).toBe(JWT);
      expect(decodeJwt(toC.access_token)).toMatchObject({ aud: ['svc-c'], client_id: 'svc-b' });
    });
  });

  describe('sender-constrained subject tokens (RFC 9449)', () => {
    /** Two DPoP key thumbprints (RFC 7638: 43 base64url characters). */
    const K1 = 'a'.repeat(43);
    const K2 = 'b'.repeat(43);
    it('exchanges a DPoP-bound token only with a proof by the same key', async () => {
      const { code } = await h.app.get(AuthorizeService).authorize({
        clientId: 'svc-a',
        sub: 'u1',
        sid: 'sid-dpop',
        authTime: Math.floor(Date.now() / 1000),
        amr: ['pwd'],
        scope: ['openid', 'read'],
        redirectUri: REDIRECT_URI,
        redirectUriSupplied: true,
        responseType: 'code',
      });
      const bound = await h.app.get(TokenEndpoint).handle({
        params: { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI },
        clientAuth: basic('svc-a'),
        endpoint: ENDPOINT,
        cnf: { jkt: K1 },
      });
      expect(bound.token_type).toBe('DPoP');
      const request = (cnf?: { jkt: string }) =>
        h.app.get(TokenEndpoint).handle({
          params: {
            grant_type: EXCHANGE,
            subject_token_type: ACCESS_TOKEN,
            subject_token: bound.access_token,
            actor_token: actor,
            actor_token_type: ACCESS_TOKEN,
            audience: 'svc-b',
          },
          clientAuth: basic('svc-a'),
          endpoint: ENDPOINT,
          ...(cnf === undefined ? {} : { cnf }),
        });
      const actor = await serviceToken('svc-a');
      expect(await oauthErrorOf(request())).toMatchObject({ error: 'invalid_grant' });
      expect(await oauthErrorOf(request({ jkt: K2 }))).toMatchObject({
        error: 'invalid_grant',
      });
      const exchanged = await request({ jkt: K1 });
      expect(exchanged.token_type).toBe('DPoP');
      expect(decodeJwt(exchanged.access_token)['cnf']).toEqual({ jkt: K1 });
    });
  });

  describe('impersonation', () => {
    it('is refused without an actor_token unless the policy allows it', async () => {
      const user = await userTokens('sid-imp');
      expect(
        await oauthErrorOf(
          exchange('svc-a', { subject_token: user.access_token, audience: 'svc-b' }),
        ),
      ).toMatchObject({ error: 'unauthorized_client', status: 400 });
    });

    it('is allowed by policy: no new actor, the chain the subject token carried', async () => {
      const user = await userTokens('sid-imp-ok');
      const forImp = await delegate('svc-a', user.access_token, { audience: 'svc-imp' });
      const onward = await exchange('svc-imp', {
        subject_token: forImp.access_token,
        audience: 'svc-b',
      });
      expect(await introspect(onward.access_token)).toMatchObject({
        active: true,
        sub: 'u1',
        client_id: 'svc-imp',
        aud: ['svc-b'],
        act: { sub: 'svc-a', client_id: 'svc-a' },
      });
      // A token neither issued to svc-imp nor for it cannot be exchanged by it.
      expect(
        await oauthErrorOf(
          exchange('svc-imp', { subject_token: user.access_token, audience: 'svc-b' }),
        ),
      ).toMatchObject({ error: 'invalid_grant' });
    });

    it('by policy, from an ID token of ours issued to the client: a new grant of the same session', async () => {
      await register('svc-idt', {
        scope: 'openid read',
        grant_types: ['authorization_code', EXCHANGE],
        token_exchange: { audiences: ['svc-b'], impersonation: true },
      });
      const user = await codeFlowTokens(h.app, 'svc-idt', { sub: 'u1', sid: 'sid-idt' });
      const exchanged = await token('svc-idt', {
        grant_type: EXCHANGE,
        subject_token_type: ID_TOKEN,
        subject_token: user.id_token!,
        audience: 'svc-b',
      });
      expect(exchanged.scope).toBe('openid');
      const record = await introspect(exchanged.access_token);
      expect(record).toMatchObject({
        active: true,
        sub: 'u1',
        sid: 'sid-idt',
        client_id: 'svc-idt',
      });
      expect(record['act']).toBeUndefined();
      // Widening past the ID token's openid is refused.
      expect(
        await oauthErrorOf(
          token('svc-idt', {
            grant_type: EXCHANGE,
            subject_token_type: ID_TOKEN,
            subject_token: user.id_token!,
            audience: 'svc-b',
            scope: 'openid read',
          }),
        ),
      ).toMatchObject({ error: 'invalid_scope' });
      await h.app.get(SessionGrants).revokeEnded('sid-idt');
      expect(await introspect(exchanged.access_token)).toMatchObject({ active: false });
    });
  });

  describe('errors (RFC 8693 2.2.2)', () => {
    let subject: string;
    let actor: string;
    beforeAll(async () => {
      subject = (await userTokens('sid-errors')).access_token;
      actor = await serviceToken('svc-a');
    });
    const delegated = (over: Record<string, string>) =>
      exchange('svc-a', {
        subject_token: subject,
        actor_token: actor,
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-b',
        ...over,
      });

    /** A foreign issuer's ID token about u1, for svc-a: signed by a key we never saw. */
    async function foreignIdToken(): Promise<string> {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: 'u1' })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'other' })
        .setIssuer('https://other-issuer.example')
        .setAudience('svc-a')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(privateKey);
    }

    /** [the error, what is wrong, the request]: each refused with that error. */
    const refusals: ReadonlyArray<readonly [string, string, () => Promise<unknown>]> = [
      [
        'invalid_request',
        'subject_token_type missing',
        () => token('svc-a', { grant_type: EXCHANGE, subject_token: subject, audience: 'svc-b' }),
      ],
      [
        'invalid_request',
        'subject_token_type unsupported',
        () => delegated({ subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }),
      ],
      [
        'invalid_request',
        'requested_token_type unsupported',
        () => delegated({ requested_token_type: 'urn:example:other' }),
      ],
      ['invalid_request', 'subject_token missing', () => delegated({ subject_token: '' })],
      [
        'invalid_request',
        'subject_token forged',
        () => delegated({ subject_token: 'at_forged.value' }),
      ],
      [
        'invalid_request',
        'an access token presented as an ID token (does not verify as one)',
        () => delegated({ subject_token_type: ID_TOKEN }),
      ],
      [
        'invalid_request',
        'actor_token without its type',
        () => exchange('svc-a', { subject_token: subject, actor_token: actor, audience: 'svc-b' }),
      ],
      [
        'invalid_request',
        'an actor token of another client',
        async () => delegated({ actor_token: await serviceToken('svc-b') }),
      ],
      [
        'invalid_target',
        'no target',
        () =>
          exchange('svc-a', {
            subject_token: subject,
            actor_token: actor,
            actor_token_type: ACCESS_TOKEN,
          }),
      ],
      ['invalid_target', 'a target outside the policy', () => delegated({ audience: 'svc-c' })],
      ['invalid_target', 'two different targets', () => delegated({ resource: 'svc-x' })],
      [
        'unauthorized_client',
        'a client without the grant type',
        () =>
          token('rp-plain', {
            grant_type: EXCHANGE,
            subject_token_type: ACCESS_TOKEN,
            subject_token: subject,
            audience: 'svc-b',
          }),
      ],
      [
        'invalid_scope',
        'a scope wider than the subject token',
        () => delegated({ scope: 'read write' }),
      ],
      [
        'invalid_grant',
        'a revoked subject token',
        async () => {
          const own = (await userTokens('sid-revoked')).access_token;
          await revoke('svc-a', own);
          return delegated({ subject_token: own });
        },
      ],
      [
        'invalid_grant',
        'a subject token neither issued to the client nor for it',
        () => delegate('svc-b', subject, { audience: 'svc-c' }),
      ],
      [
        'invalid_request',
        'an ID token from another issuer',
        async () =>
          delegated({ subject_token_type: ID_TOKEN, subject_token: await foreignIdToken() }),
      ],
      [
        'invalid_request',
        'an ID token of ours for another client',
        async () => {
          const rpToken = await codeFlowTokens(h.app, 'rp-plain', { sub: 'u1', sid: 'sid-rp' });
          return delegated({ subject_token_type: ID_TOKEN, subject_token: rpToken.id_token! });
        },
      ],
      [
        'invalid_request',
        'a JWT subject token (no trusted issuer is configured)',
        () => delegated({ subject_token_type: JWT }),
      ],
    ];

    it.each(refusals)('%s: %s', async (error, _, request) => {
      expect(await oauthErrorOf(request())).toMatchObject({ error });
    });
  });
});
