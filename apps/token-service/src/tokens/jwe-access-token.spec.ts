import type { INestApplicationContext } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, type JWK } from 'jose';
import type { ClientMetadataInput } from '@idp/contracts';
import { decryptAccessToken, verifyOurJwt, randomBytes } from '@idp/crypto';
import { OAuthError } from '@idp/oauth-errors';
import { ClientRegistry } from '../clients/client-registry.service';
import { KeyRingService } from '../keys/key-ring.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
import { startTokenServiceHarness, type TokenServiceHarness } from '../token-service.fixtures';
import { UserinfoService } from '../userinfo/userinfo.service';
import { TokenMinter } from './token-minter.service';
import { USERINFO_HANDLE_HEADER, UserinfoHandles } from './userinfo-handle';

/** A resource server's key pair: we register the public half, the "RS" keeps the private one. */
function rsKeys(kind: 'rsa' | 'ec', kid: string) {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const alg = kind === 'rsa' ? 'RSA-OAEP-256' : 'ECDH-ES+A256KW';
  const common = { kid, alg, use: 'enc' };
  return {
    publicJwk: { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), ...common },
    privateJwk: { ...(pair.privateKey.export({ format: 'jwk' }) as JWK), ...common },
  };
}

const API = 'https://api.example.test';
const EC_API = 'https://ec-api.example.test';
const NEEDS_JWE = 'https://private-api.example.test';
const ISSUER = 'http://localhost:3000';

describe('TokenMinter: encrypted (jwe) access tokens', () => {
  let h: TokenServiceHarness;
  const rsa = rsKeys('rsa', 'rs-rsa-1');
  const ec = rsKeys('ec', 'rs-ec-1');
  let app: INestApplicationContext;
  let minter: TokenMinter;
  const clients: Record<string, Awaited<ReturnType<ClientRegistry['register']>>['client']> = {};

  async function mint(clientId: string, opts: { sub?: string; scope?: string } = {}) {
    return minter.accessToken({
      grantId: `g-${randomBytes(6).toString('hex')}`,
      client: clients[clientId]!,
      subject: { sub: opts.sub ?? null },
      scope: opts.scope ?? 'read',
      extraClaims: {},
      now: Math.floor(Date.now() / 1000),
    });
  }
  /** What the resource server does: decrypt with its key, verify the inner JWS against our JWKS. */
  async function asResourceServer(token: string, privateJwk: JWK, audience: string) {
    const inner = await decryptAccessToken(token, privateJwk);
    const jwks = (await app.get(KeyRingService).publicJwks()).keys as unknown as JWK[];
    const claims = await verifyOurJwt(inner, { jwks, issuer: ISSUER, typ: 'at+jwt', audience });
    return { inner, claims, header: decodeProtectedHeader(token) };
  }

  beforeAll(async () => {
    h = await startTokenServiceHarness({ ISSUER, SIGNING_KEY_ALGS: 'RS256,ES256' });
    ({ app } = h);
    minter = app.get(TokenMinter);
    const resources = app.get(ResourceRegistry);
    await resources.define({ resource: API, jwks: { keys: [rsa.publicJwk] } }, 'seed');
    await resources.define({ resource: EC_API, jwks: { keys: [ec.publicJwk] } }, 'seed');
    await resources.define(
      { resource: NEEDS_JWE, jwks: { keys: [rsa.publicJwk] }, accessTokenFormat: 'jwe' },
      'seed',
    );
    const register = async (metadata: Partial<ClientMetadataInput> & { client_id: string }) => {
      const base = { grant_types: ['client_credentials'], response_types: [], scope: 'read' };
      clients[metadata.client_id] = (
        await app.get(ClientRegistry).register({ ...base, ...metadata }, 'admin', 's'.repeat(32))
      ).client;
    };
    await register({ client_id: 'jwe', access_token_format: 'jwe', resources: [API, EC_API] });
    await register({ client_id: 'jwe-ec', access_token_format: 'jwe', resources: [EC_API] });
    await register({
      client_id: 'jwe-unknown',
      access_token_format: 'jwe',
      resources: ['https://unregistered.example.test'],
    });
    await register({ client_id: 'opaque-to-private', resources: [NEEDS_JWE] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('nests our signed at+jwt in a JWE to the first resource, which alone is the audience', async () => {
    const { token, spec } = await mint('jwe');
    expect(token.split('.')).toHaveLength(5);
    const { inner, claims, header } = await asResourceServer(token, rsa.privateJwk, API);
    expect(header).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      cty: 'JWT',
      typ: 'at+jwt',
      kid: 'rs-rsa-1',
    });
    expect(decodeProtectedHeader(inner)).toMatchObject({ typ: 'at+jwt' });
    expect(claims).toMatchObject({ iss: ISSUER, aud: [API], client_id: 'jwe', jti: spec.jti });
    expect(spec).toMatchObject({ format: 'jwe', aud: [API] });
  });

  it('encrypts to an EC key with ECDH-ES+A256KW', async () => {
    const { token } = await mint('jwe-ec');
    const { header, claims } = await asResourceServer(token, ec.privateJwk, EC_API);
    expect(header).toMatchObject({ alg: 'ECDH-ES+A256KW', kid: 'rs-ec-1' });
    expect(claims.aud).toEqual([EC_API]);
  });

  it('cannot be read with another key', async () => {
    const { token } = await mint('jwe');
    await expect(decryptAccessToken(token, rsKeys('rsa', 'x').privateJwk)).rejects.toThrow();
  });

  it('refuses with invalid_target when the resource has no registered key, never downgrading', async () => {
    const err = await mint('jwe-unknown').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ error: 'invalid_target', status: 400 });
    expect((err as OAuthError).description).toMatch(
      /https:\/\/unregistered\.example\.test has no registered encryption key/,
    );
  });

  it("follows the resource's preferred format over the client's default", async () => {
    const { token, spec } = await mint('opaque-to-private');
    expect(spec.format).toBe('jwe');
    await asResourceServer(token, rsa.privateJwk, NEEDS_JWE);
  });

  it('carries a MACed userinfo handle only for a user token with the openid scope', async () => {
    const cc = await mint('jwe', { scope: 'openid' });
    expect(decodeProtectedHeader(cc.token)[USERINFO_HANDLE_HEADER]).toBeUndefined();
    const noOpenid = await mint('jwe', { sub: 'u1', scope: 'read' });
    expect(decodeProtectedHeader(noOpenid.token)[USERINFO_HANDLE_HEADER]).toBeUndefined();
    const user = await mint('jwe', { sub: 'u1', scope: 'openid read' });
    const handle = decodeProtectedHeader(user.token)[USERINFO_HANDLE_HEADER];
    const handles = app.get(UserinfoHandles);
    expect(handles.jtiOf(handle)).toBe(user.spec.jti);
    // The RS still decrypts it: the handle is an ordinary, non-critical header parameter.
    await asResourceServer(user.token, rsa.privateJwk, API);
    expect(handles.jtiOf(`${user.spec.jti}.${'A'.repeat(22)}`)).toBeUndefined();
    expect(handles.jtiOf(`g-other.x.${String(handle).split('.').pop()}`)).toBeUndefined();
  });

  it('gets invalid_token at /userinfo without a valid handle, saying why', async () => {
    const userinfo = app.get(UserinfoService);
    const { token } = await mint('jwe');
    const err = await userinfo.userinfo(token).catch((e: unknown) => e);
    expect(err).toMatchObject({ error: 'invalid_token', status: 401 });
    expect((err as OAuthError).description).toMatch(/encrypted to a resource server/);
    expect((err as OAuthError).headers['WWW-Authenticate']).toMatch(/error="invalid_token"/);
  });
});
