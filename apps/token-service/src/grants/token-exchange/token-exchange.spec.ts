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
    it('nests act, targets each audience, and dies with the SSO session', async () => {
      const user = await userTokens('sid-chain');
      const toB = await exchange('svc-a', {
        subject_token: user.access_token,
        actor_token: await serviceToken('svc-a'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-b',
      });
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

      const toC = await exchange('svc-b', {
        subject_token: toB.access_token,
        actor_token: await serviceToken('svc-b'),
        actor_token_type: ACCESS_TOKEN,
        resource: 'svc-c',
        scope: 'read',
      });
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
        await oauthErrorOf(
          exchange('svc-b', {
            subject_token: toB.access_token,
            actor_token: await serviceToken('svc-b'),
            actor_token_type: ACCESS_TOKEN,
            audience: 'svc-c',
          }),
        ),
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
      const toB = await exchange('svc-a', {
        subject_token: user.access_token,
        actor_token: await serviceToken('svc-a'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-b',
        scope: 'read',
      });
      expect(await introspect(toB.access_token)).toMatchObject({ active: true });
      await h.app.get(RevocationService).revoke({
        token: user.refresh_token!,
        clientAuth: basic('svc-a'),
        endpoint: 'http://localhost:3000/revoke',
      } as never);
      expect(await introspect(toB.access_token)).toMatchObject({ active: false });
    });

    it('lets the exchanging client revoke its own exchanged token (RFC 7009), not the grant', async () => {
      const user = await userTokens('sid-own');
      const toB = await exchange('svc-a', {
        subject_token: user.access_token,
        actor_token: await serviceToken('svc-a'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-b',
      });
      const toC = await exchange('svc-b', {
        subject_token: toB.access_token,
        actor_token: await serviceToken('svc-b'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-c',
      });
      const revocations = h.app.get(RevocationService);
      // svc-c holds nothing of this grant: not its token.
      expect(
        await oauthErrorOf(
          revocations.revoke({
            token: toC.access_token,
            clientAuth: basic('svc-c'),
            endpoint: 'http://localhost:3000/revoke',
          } as never),
        ),
      ).toMatchObject({ error: 'unauthorized_client' });
      await revocations.revoke({
        token: toC.access_token,
        clientAuth: basic('svc-b'),
        endpoint: 'http://localhost:3000/revoke',
      } as never);
      expect(await introspect(toC.access_token)).toMatchObject({ active: false });
      expect(await introspect(toB.access_token)).toMatchObject({ active: true });
      expect(await introspect(user.access_token)).toMatchObject({ active: true });
    });

    it('gives a JWT when requested_token_type is jwt, even for a target that gets opaque tokens', async () => {
      const user = await userTokens('sid-jwt');
      const toB = await exchange('svc-a', {
        subject_token: user.access_token,
        actor_token: await serviceToken('svc-a'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-b',
      });
      const toC = await exchange('svc-b', {
        subject_token: toB.access_token,
        actor_token: await serviceToken('svc-b'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-c',
        requested_token_type: JWT,
      });
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
      const forImp = await exchange('svc-a', {
        subject_token: user.access_token,
        actor_token: await serviceToken('svc-a'),
        actor_token_type: ACCESS_TOKEN,
        audience: 'svc-imp',
      });
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

    it('invalid_request: subject_token_type missing or unsupported', async () => {
      expect(
        await oauthErrorOf(
          token('svc-a', { grant_type: EXCHANGE, subject_token: subject, audience: 'svc-b' }),
        ),
      ).toMatchObject({ error: 'invalid_request' });
      expect(
        await oauthErrorOf(
          delegated({ subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }),
        ),
      ).toMatchObject({ error: 'invalid_request' });
      expect(
        await oauthErrorOf(delegated({ requested_token_type: 'urn:example:other' })),
      ).toMatchObject({ error: 'invalid_request' });
    });

    it('invalid_request: subject_token missing, forged or of the wrong type', async () => {
      expect(await oauthErrorOf(delegated({ subject_token: '' }))).toMatchObject({
        error: 'invalid_request',
      });
      expect(await oauthErrorOf(delegated({ subject_token: 'at_forged.value' }))).toMatchObject({
        error: 'invalid_request',
      });
      // An access token presented as an ID token does not verify as one.
      expect(await oauthErrorOf(delegated({ subject_token_type: ID_TOKEN }))).toMatchObject({
        error: 'invalid_request',
      });
    });

    it('invalid_request: actor_token without its type, or an actor token of another client', async () => {
      expect(
        await oauthErrorOf(
          exchange('svc-a', { subject_token: subject, actor_token: actor, audience: 'svc-b' }),
        ),
      ).toMatchObject({ error: 'invalid_request' });
      expect(
        await oauthErrorOf(delegated({ actor_token: await serviceToken('svc-b') })),
      ).toMatchObject({ error: 'invalid_request' });
    });

    it('invalid_target: no target, a target outside the policy, two different targets', async () => {
      expect(
        await oauthErrorOf(
          exchange('svc-a', {
            subject_token: subject,
            actor_token: actor,
            actor_token_type: ACCESS_TOKEN,
          }),
        ),
      ).toMatchObject({ error: 'invalid_target' });
      expect(await oauthErrorOf(delegated({ audience: 'svc-c' }))).toMatchObject({
        error: 'invalid_target',
      });
      expect(await oauthErrorOf(delegated({ resource: 'svc-x' }))).toMatchObject({
        error: 'invalid_target',
      });
    });

    it('unauthorized_client: a client without the grant type', async () => {
      expect(
        await oauthErrorOf(
          token('rp-plain', {
            grant_type: EXCHANGE,
            subject_token_type: ACCESS_TOKEN,
            subject_token: subject,
            audience: 'svc-b',
          }),
        ),
      ).toMatchObject({ error: 'unauthorized_client' });
    });

    it('invalid_scope: the scope never widens past the subject token', async () => {
      expect(await oauthErrorOf(delegated({ scope: 'read write' }))).toMatchObject({
        error: 'invalid_scope',
      });
    });

    it('invalid_grant: a revoked subject token', async () => {
      const own = (await userTokens('sid-revoked')).access_token;
      await h.app.get(RevocationService).revoke({
        token: own,
        clientAuth: basic('svc-a'),
        endpoint: 'http://localhost:3000/revoke',
      } as never);
      expect(await oauthErrorOf(delegated({ subject_token: own }))).toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('invalid_grant: a subject token neither issued to the client nor for it', async () => {
      expect(
        await oauthErrorOf(
          exchange('svc-b', {
            subject_token: subject,
            actor_token: await serviceToken('svc-b'),
            actor_token_type: ACCESS_TOKEN,
            audience: 'svc-c',
          }),
        ),
      ).toMatchObject({ error: 'invalid_grant' });
    });

    it('invalid_request: an ID token from another issuer, or one of ours for another client', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const now = Math.floor(Date.now() / 1000);
      const foreign = await new SignJWT({ sub: 'u1' })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'other' })
        .setIssuer('https://other-issuer.example')
        .setAudience('svc-a')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(privateKey);
      expect(
        await oauthErrorOf(delegated({ subject_token_type: ID_TOKEN, subject_token: foreign })),
      ).toMatchObject({ error: 'invalid_request' });
      const rpToken = await codeFlowTokens(h.app, 'rp-plain', { sub: 'u1', sid: 'sid-rp' });
      expect(
        await oauthErrorOf(
          delegated({ subject_token_type: ID_TOKEN, subject_token: rpToken.id_token! }),
        ),
      ).toMatchObject({ error: 'invalid_request' });
    });

    it('invalid_request: a JWT subject token (no trusted issuer is configured)', async () => {
      expect(await oauthErrorOf(delegated({ subject_token_type: JWT }))).toMatchObject({
        error: 'invalid_request',
      });
    });
  });
});
