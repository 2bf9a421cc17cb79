import { generateKeyPairSync } from 'node:crypto';
import type { PrivateSigningKey } from '@idp/crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWK } from 'jose';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../../admin/admin.fixtures';
import { ClientRegistry } from '../../clients/client-registry.service';
import { IntrospectionService } from '../../introspection/introspection.service';
import { RevocationService } from '../../revocation/revocation.service';
import { basic, CLIENT_SECRET, webClient } from '../../revocation/revocation.fixtures';
import { UserDirectory } from '../../users/user-directory.service';
import { TokenEndpoint } from '../token-endpoint.service';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const US = 'http://localhost:3000';
const PARTNER = 'https://partner-idp.example';

function keyPair(type: 'ec' | 'rsa', kid: string, alg: string) {
  const { publicKey, privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    kid,
    alg,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' },
  };
}

/**
 * RFC 8693 subject tokens from an issuer in TOKEN_EXCHANGE_TRUSTED_ISSUERS:
 * keys from its jwks_uri (a local server here, through the guarded outbound
 * client), its alg allow-list, aud = us, a sub that is one of our users,
 * may_act honoured; what revokes the result (ADR 0033).
 */
describe('token exchange from a trusted issuer', () => {
  const es = keyPair('ec', 'partner-es', 'ES256');
  /** Published at the jwks_uri, but RS256 is not in the issuer's allow-list. */
  const rs = keyPair('rsa', 'partner-rs', 'RS256');
  let jwksServer: Server;
  let h: AdminHarness;

  const sign = (
    claims: Record<string, unknown>,
    over: {
      key?: { privateKey: PrivateSigningKey; kid: string; alg: string };
      iss?: string;
      aud?: string;
      exp?: number;
    } = {},
  ) => {
    const key = over.key ?? es;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: 'u1', scope: 'openid read', ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(over.iss ?? PARTNER)
      .setAudience(over.aud ?? US)
      .setIssuedAt(now)
      .setExpirationTime(over.exp ?? now + 300)
      .sign(key.privateKey);
  };
  const token = (clientId: string, params: Record<string, string>) =>
    h.app.get(TokenEndpoint).handle({
      params,
      clientAuth: basic(clientId),
      endpoint: `${US}/token`,
    });
  const exchange = async (subject: string, over: Record<string, string> = {}) =>
    token('svc-a', {
      grant_type: EXCHANGE,
      subject_token: subject,
      subject_token_type: JWT,
      actor_token: (await token('svc-a', { grant_type: 'client_credentials' })).access_token,
      actor_token_type: ACCESS_TOKEN,
      audience: 'svc-b',
      ...over,
    });
  const introspect = async (t: string) =>
    (await h.app.get(IntrospectionService).introspect(t)).record as unknown as Record<
      string,
      unknown
    >;

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [es.publicJwk, rs.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    h = await startAdminHarness({
      ISSUER: US,
      TOKEN_EXCHANGE_TRUSTED_ISSUERS: JSON.stringify([
        { issuer: PARTNER, jwks_uri: `http://127.0.0.1:${port}/jwks`, algs: ['ES256'] },
      ]),
    });
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    await h.app.get(ClientRegistry).register(
      webClient('svc-a', {
        scope: 'openid read',
        grant_types: ['client_credentials', EXCHANGE],
        response_types: [],
        redirect_uris: [],
        token_exchange: { audiences: ['svc-b'] },
      }) as never,
      'admin',
      CLIENT_SECRET,
    );
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it('exchanges a partner JWT for one of our users, keeping its may_act and act', async () => {
    const result = await exchange(
      await sign({
        may_act: { sub: 'svc-a' },
        act: { sub: 'partner-gateway' },
      }),
      { scope: 'read' },
    );
    expect(result.scope).toBe('read');
    expect(await introspect(result.access_token)).toMatchObject({
      active: true,
      sub: 'u1',
      client_id: 'svc-a',
      aud: ['svc-b'],
      act: { sub: 'svc-a', client_id: 'svc-a', act: { sub: 'partner-gateway' } },
    });
  });

  it('is revoked by its own grant: RFC 7009 by the exchanging client', async () => {
    const result = await exchange(await sign({}));
    await h.app.get(RevocationService).revoke({
      token: result.access_token,
      clientAuth: basic('svc-a'),
      endpoint: `${US}/revoke`,
    } as never);
    expect(await introspect(result.access_token)).toMatchObject({ active: false });
  });

  /** Subject tokens refused, with the error (and other parameters of the exchange). */
  const refusals: ReadonlyArray<{
    error: string;
    what: string;
    subject: () => Promise<string>;
    over?: Record<string, string>;
  }> = [
    {
      error: 'invalid_request',
      what: 'an actor that may_act does not name',
      subject: () => sign({ may_act: { sub: 'svc-z' } }),
    },
    {
      error: 'invalid_request',
      what: 'an alg outside the issuer allow-list, even with a published key',
      subject: () => sign({}, { key: rs }),
    },
    {
      error: 'invalid_request',
      what: 'a JWT whose aud does not name us',
      subject: () => sign({}, { aud: 'https://someone-else.example' }),
    },
    {
      error: 'invalid_request',
      what: 'an issuer that is not trusted',
      subject: () => sign({}, { iss: 'https://evil.example' }),
    },
    {
      error: 'invalid_request',
      what: 'a forged signature (a key with the kid of a published one)',
      subject: () => sign({}, { key: keyPair('ec', 'partner-es', 'ES256') }),
    },
    {
      error: 'invalid_grant',
      what: 'an expired JWT',
      subject: () => sign({}, { exp: Math.floor(Date.now() / 1000) - 600 }),
    },
    {
      error: 'invalid_grant',
      what: 'a subject that is not our user',
      subject: () => sign({ sub: 'partner-only-user' }),
    },
    {
      error: 'invalid_scope',
      what: 'a scope wider than the JWT scope',
      subject: () => sign({ scope: 'read' }),
      over: { scope: 'openid read' },
    },
  ];

  it.each(refusals)('refuses $what ($error)', async ({ error, subject, over }) => {
    expect(await oauthErrorOf(exchange(await subject(), over))).toMatchObject({ error });
  });
});
