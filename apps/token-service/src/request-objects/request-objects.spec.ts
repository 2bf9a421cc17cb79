import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientAdmin } from '../admin/client-admin.service';
import { TokenRpc } from '@idp/contracts';
import { RequestObjects } from './request-objects.service';

const ISSUER = 'http://127.0.0.1:3000';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Request objects (RFC 9101, OIDC Core 6) verified by token-service: one
 * check per test, each against an otherwise valid object, so a test fails
 * only when the check it names is missing.
 */
describe('RequestObjects', () => {
  let h: AdminHarness;
  let objects: RequestObjects;
  let es256: CryptoKey;
  let ed25519: CryptoKey;
  let foreign: CryptoKey;
  let jwks: { keys: JWK[] };
  let clientId: string;
  let pinnedClientId: string;
  let noUrisClientId: string;
  let rp: Server;
  let base: string;
  let served: { status: number; type: string; body: string };
  let fetches: string[];

  const now = () => Math.floor(Date.now() / 1000);
  const params = {
    response_type: 'code',
    redirect_uri: 'https://rp.example/cb',
    scope: 'openid email',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  };

  /** A valid object of `client` (ES256, the registered key) unless told otherwise. */
  const sign = (
    over: Record<string, unknown> = {},
    opts: { key?: CryptoKey; alg?: string; typ?: string; client?: string } = {},
  ) => {
    const client = opts.client ?? clientId;
    const claims: JWTPayload = {
      iss: client,
      aud: ISSUER,
      client_id: client,
      iat: now(),
      nbf: now(),
      exp: now() + 300,
      ...params,
      ...over,
    };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    return new SignJWT(claims)
      .setProtectedHeader({
        alg: opts.alg ?? 'ES256',
        ...(opts.typ === undefined ? { typ: 'oauth-authz-req+jwt' } : { typ: opts.typ }),
      })
      .sign(opts.key ?? es256);
  };
  const byValue = (request: string, client = clientId) =>
    objects.resolve({ clientId: client, request });
  const refused = async (request: Promise<string> | string, description: RegExp | string) =>
    expect(await oauthErrorOf(byValue(await request))).toMatchObject({
      error: 'invalid_request_object',
      status: 400,
      description:
        typeof description === 'string' ? description : expect.stringMatching(description),
    });

  beforeAll(async () => {
    const es = await generateKeyPair('ES256', { extractable: true });
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    es256 = es.privateKey;
    ed25519 = ed.privateKey;
    foreign = (await generateKeyPair('ES256')).privateKey;
    jwks = {
      keys: [
        { ...(await exportJWK(es.publicKey)), kid: 'es', use: 'sig' },
        { ...(await exportJWK(ed.publicKey)), kid: 'ed', use: 'sig' },
      ],
    };
    fetches = [];
    rp = createServer((req, res) => {
      fetches.push(req.url ?? '');
      res.writeHead(served.status, { 'content-type': served.type }).end(served.body);
    });
    await new Promise<void>((r) => rp.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(rp.address() as AddressInfo).port}`;
    // As `npm start` and the tests run: ISSUER on loopback, so a loopback request_uri is allowed.
    h = await startAdminHarness({ ISSUER });
    objects = h.app.get(RequestObjects);
    const admin = h.app.get(ClientAdmin);
    const register = async (over: Record<string, unknown>) =>
      String(
        (
          await admin.register({
            redirect_uris: ['https://rp.example/cb'],
            token_endpoint_auth_method: 'private_key_jwt',
            jwks,
            ...over,
          })
        ).metadata['client_id'],
      );
    clientId = await register({ request_uris: [`${base}/req.jwt#v1`, `${base}/other.jwt`] });
    pinnedClientId = await register({ request_object_signing_alg: 'ES256' });
    noUrisClientId = await register({});
  });
  afterAll(async () => {
    await h.close();
    rp.closeAllConnections();
    await new Promise((r) => rp.close(r));
  });
  beforeEach(() => (fetches = []));

  describe('by value', () => {
    it('answers the parameters of a valid object: JWT claims dropped, client_id kept, values as strings', async () => {
      const resolved = await byValue(
        await sign({ max_age: 60, claims: { userinfo: { email: null } } }),
      );
      expect(resolved).toEqual({
        ...params,
        client_id: clientId,
        max_age: '60',
        claims: '{"userinfo":{"email":null}}',
      });
    });

    it('accepts typ JWT, typ application/oauth-authz-req+jwt, no typ, and aud as an array holding the issuer', async () => {
      await expect(byValue(await sign({}, { typ: 'JWT' }))).resolves.toMatchObject(params);
      await expect(
        byValue(await sign({}, { typ: 'application/oauth-authz-req+jwt' })),
      ).resolves.toMatchObject(params);
      const untyped = await new SignJWT({
        iss: clientId,
        aud: [ISSUER, 'x'],
        exp: now() + 60,
        ...params,
      })
        .setProtectedHeader({ alg: 'ES256' })
        .sign(es256);
      await expect(byValue(untyped)).resolves.toMatchObject(params);
    });

    it('accepts any registered key with an allowed alg when the client pinned none (EdDSA)', async () => {
      await expect(byValue(await sign({}, { key: ed25519, alg: 'EdDSA' }))).resolves.toMatchObject(
        params,
      );
    });

    it('refuses alg none', async () => {
      const unsigned = `${b64({ alg: 'none' })}.${b64({ iss: clientId, aud: ISSUER, exp: now() + 60, ...params })}.`;
      await refused(unsigned, 'unsigned request objects (alg none) are refused');
    });

    it('refuses HS256 (a shared-secret signature)', async () => {
      const hs = await new SignJWT({ iss: clientId, aud: ISSUER, exp: now() + 60, ...params })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('a-client-secret-of-at-least-32-bytes!'));
      await refused(hs, 'request objects signed with a shared secret (HS*) are refused');
    });

    it('refuses an alg outside the allow-list (ES384)', async () => {
      const es384 = (await generateKeyPair('ES384')).privateKey;
      await refused(
        sign({}, { key: es384, alg: 'ES384' }),
        /^alg must be one of RS256, PS256, ES256, EdDSA$/,
      );
    });

    it('refuses an alg other than the client registered request_object_signing_alg', async () => {
      const ok = await sign({}, { client: pinnedClientId });
      await expect(byValue(ok, pinnedClientId)).resolves.toMatchObject(params);
      const other = await sign({}, { client: pinnedClientId, key: ed25519, alg: 'EdDSA' });
      expect(await oauthErrorOf(byValue(other, pinnedClientId))).toMatchObject({
        error: 'invalid_request_object',
        description: 'the client registered request_object_signing_alg ES256',
      });
    });

    it('refuses an object signed with a key the client did not register', async () => {
      await refused(sign({}, { key: foreign }), 'the request object signature is invalid');
    });

    it('refuses a tampered object (bad signature)', async () => {
      const [header, , signature] = (await sign()).split('.');
      const forged = b64({
        iss: clientId,
        aud: ISSUER,
        exp: now() + 60,
        ...params,
        scope: 'openid profile',
      });
      await refused(`${header}.${forged}.${signature}`, 'the request object signature is invalid');
    });

    it('refuses another audience', async () => {
      await refused(
        sign({ aud: 'https://other-idp.example' }),
        'aud of the request object must be the issuer',
      );
      await refused(sign({ aud: undefined }), /aud/);
    });

    it('refuses another issuer than the client', async () => {
      await refused(
        sign({ iss: 'someone-else' }),
        'iss of the request object must be the client_id',
      );
      await refused(sign({ iss: undefined }), /iss/);
    });

    it('refuses an expired object, and one without exp', async () => {
      await refused(sign({ exp: now() - 60 }), 'the request object expired');
      await refused(sign({ exp: undefined }), 'the request object has no exp');
    });

    it('refuses nbf in the future and nbf more than 60 minutes ago', async () => {
      await refused(sign({ nbf: now() + 120 }), 'the request object is not valid yet (nbf)');
      await refused(
        sign({ nbf: now() - 3700, exp: now() + 60 }),
        'the request object is too old (nbf more than 60 minutes ago)',
      );
    });

    it('refuses iat in the future', async () => {
      await refused(
        sign({ iat: now() + 600 }),
        'the request object was issued in the future (iat)',
      );
    });

    it('refuses a client_id that is not the one of the request', async () => {
      await refused(
        sign({ client_id: 'other-client' }),
        'client_id in the request object does not match the request',
      );
    });

    it('refuses nested request and request_uri', async () => {
      await refused(
        sign({ request: 'eyJ...' }),
        'a request object must not contain request or request_uri',
      );
      await refused(
        sign({ request_uri: `${base}/req.jwt` }),
        'a request object must not contain request or request_uri',
      );
    });

    it('refuses a parameter with several values, as a repeated query parameter is', async () => {
      await refused(
        sign({ scope: ['openid', 'email'] }),
        'a request object parameter has several values',
      );
      await refused(
        sign({ resource: ['https://a.example', 42] }),
        'a request object parameter has several values',
      );
    });

    it('keeps several RFC 8707 resources as a list, as a query may repeat resource', async () => {
      const resource = ['https://a.example', 'https://b.example'];
      await expect(byValue(await sign({ resource }))).resolves.toMatchObject({ resource });
    });

    it('refuses a typ that is not a request object', async () => {
      await refused(sign({}, { typ: 'at+jwt' }), 'typ must be oauth-authz-req+jwt or JWT');
      await refused(sign({}, { typ: 'logout+jwt' }), 'typ must be oauth-authz-req+jwt or JWT');
    });

    it('refuses an oversized object', async () => {
      await refused(
        sign({ login_hint: 'x'.repeat(9000) }),
        'the request object is longer than 8192 bytes',
      );
    });

    it('refuses an encrypted object (JWE) by name', async () => {
      // A compact JWE's shape (RFC 7516 7.1: five parts, an enc header): refused before any
      // decryption is tried, so the parts need not be a real encryption (made by hand here:
      // JWEs in this repository come from encryptAccessToken only).
      const part = (v: object | string) =>
        Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
      const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' };
      const jwe = [part(header), part('key'), part('iv'), part(await sign()), part('tag')].join(
        '.',
      );
      await refused(jwe, 'encrypted request objects (JWE) are not supported; sign it only');
    });

    it('refuses what is not a JWS at all', async () => {
      await refused('not-a-jwt', 'the request object is not a compact JWS');
      await refused('a.b.c', 'the request object header is not valid JSON');
    });

    it('crosses the RPC contract with exactly one of request and requestUri', async () => {
      const schema = TokenRpc.methods.requestObject.request;
      const request = await sign();
      expect(schema.safeParse({ clientId, request }).success).toBe(true);
      expect(schema.safeParse({ clientId, requestUri: `${base}/req.jwt` }).success).toBe(true);
      expect(schema.safeParse({ clientId, request, requestUri: `${base}/req.jwt` }).success).toBe(
        false,
      );
      expect(schema.safeParse({ clientId }).success).toBe(false);
    });
  });

  describe('by reference (request_uri)', () => {
    const byRef = (requestUri: string, client = clientId) =>
      objects.resolve({ clientId: client, requestUri });

    it('fetches a registered request_uri (fragment ignored for matching, never sent) and verifies it', async () => {
      served = { status: 200, type: 'application/oauth-authz-req+jwt', body: await sign() };
      await expect(byRef(`${base}/req.jwt#v2`)).resolves.toEqual({
        ...params,
        client_id: clientId,
      });
      served = { status: 200, type: 'application/jwt; charset=utf-8', body: await sign() };
      await expect(byRef(`${base}/other.jwt`)).resolves.toEqual({ ...params, client_id: clientId });
      expect(fetches).toEqual(['/req.jwt', '/other.jwt']);
    });

    it('refuses a request_uri the client did not register, without calling it', async () => {
      served = { status: 200, type: 'application/oauth-authz-req+jwt', body: await sign() };
      for (const uri of [
        `${base}/req.jwt?x=1`,
        `${base}/unregistered.jwt`,
        'https://attacker.example/r',
      ]) {
        expect(await oauthErrorOf(byRef(uri))).toMatchObject({
          error: 'request_uri_not_supported',
          description: 'request_uri is not one of the request_uris the client registered',
        });
      }
      expect(await oauthErrorOf(byRef(`${base}/req.jwt`, noUrisClientId))).toMatchObject({
        error: 'request_uri_not_supported',
      });
      expect(fetches).toEqual([]);
    });

    it('refuses a response of another content type', async () => {
      served = { status: 200, type: 'application/json', body: await sign() };
      expect(await oauthErrorOf(byRef(`${base}/req.jwt`))).toMatchObject({
        error: 'invalid_request_uri',
        description:
          'the request_uri must answer application/oauth-authz-req+jwt (or application/jwt)',
      });
    });

    it('refuses when the fetch fails: an error status, or nothing listening', async () => {
      served = { status: 404, type: 'text/plain', body: 'no' };
      expect(await oauthErrorOf(byRef(`${base}/req.jwt`))).toMatchObject({
        error: 'invalid_request_uri',
        description: 'the request_uri answered HTTP 404',
      });
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const deadUri = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/r.jwt`;
      await new Promise((r) => closed.close(r));
      const dead = String(
        (
          await h.app.get(ClientAdmin).register({
            redirect_uris: ['https://rp.example/cb'],
            jwks,
            request_uris: [deadUri],
          })
        ).metadata['client_id'],
      );
      expect(await oauthErrorOf(byRef(deadUri, dead))).toMatchObject({
        error: 'invalid_request_uri',
        description: 'the request_uri could not be fetched (network)',
      });
    });

    it('verifies a fetched object exactly like one sent by value', async () => {
      served = {
        status: 200,
        type: 'application/oauth-authz-req+jwt',
        body: await sign({}, { key: foreign }),
      };
      expect(await oauthErrorOf(byRef(`${base}/req.jwt`))).toMatchObject({
        error: 'invalid_request_object',
        description: 'the request object signature is invalid',
      });
      served = { status: 200, type: 'application/oauth-authz-req+jwt', body: 'x'.repeat(9000) };
      expect(await oauthErrorOf(byRef(`${base}/req.jwt`))).toMatchObject({
        error: 'invalid_request_uri',
        description: 'the request object is longer than 8192 bytes',
      });
    });
  });
});
