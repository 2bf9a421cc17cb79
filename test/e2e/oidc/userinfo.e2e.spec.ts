import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Configuration } from 'openid-client';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import {
  codeGrant,
  discover,
  newChecks,
  rpFor,
  userinfo,
  type ServerMetadata,
} from '../support/rp';
import { freePort } from '../support/service-process';
import { authorizeAsAlice } from './flows';
import { ALICE, clientKeyPair, REDIRECT_URI, writeSeedFile } from './seed';

/** Issue #3, item 8: signed UserInfo responses and the insufficient_scope case. */
describe('userinfo (embedded mode)', () => {
  let base = '';
  let issuer: ServerMetadata;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const seedFile = writeSeedFile(clientKeyPair().publicJwk);
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as {
      clients: Record<string, unknown>[];
    };
    seed.clients.push({
      client_id: 'signed-info',
      client_secret: 'signed-info-secret-0123456789abcd',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      userinfo_signed_response_alg: 'RS256',
      scope: 'openid profile email',
      skip_consent: true,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'idp-ui-')), 'seed.json');
    writeFileSync(file, JSON.stringify(seed));
    const { app } = await startEmbedded(
      loadConfig({
        DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-ui-data-')),
        PORT: String(port),
        ISSUER: base,
        SEED_FILE: file,
        LOG_LEVEL: 'warn',
      }),
    );
    stop = () => app.close();
    issuer = await discover(base);
  });
  afterAll(() => stop());

  async function tokensFor(client: Configuration, scope: string) {
    const { checks, params } = await newChecks();
    const callback = await authorizeAsAlice(base, client, { scope, ...params });
    // Without openid it is plain OAuth: no ID token is expected, so no nonce is checked.
    return codeGrant(
      client,
      callback,
      scope.split(' ').includes('openid') ? checks : { ...checks, nonce: undefined },
    );
  }

  it('answers application/jwt signed with our keys when the client registered userinfo_signed_response_alg', async () => {
    const client = rpFor(issuer, {
      client_id: 'signed-info',
      client_secret: 'signed-info-secret-0123456789abcd',
      redirect_uris: [REDIRECT_URI],
      userinfo_signed_response_alg: 'RS256',
    });
    const tokens = await tokensFor(client, 'openid email');
    const res = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jwt/);
    const { payload, protectedHeader } = await jwtVerify(
      await res.text(),
      createRemoteJWKSet(new URL(`${base}/jwks`)),
      {
        issuer: base,
        audience: 'signed-info',
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: ALICE.sub, email: 'alice@example.test' });
    // openid-client verifies the signed response itself too.
    await expect(userinfo(client, tokens)).resolves.toMatchObject({ sub: ALICE.sub });
  });

  it('answers 403 insufficient_scope for an access token granted without openid', async () => {
    const client = rpFor(issuer, {
      client_id: 'web-opaque',
      client_secret: 'web-opaque-secret-0123456789abcdef',
      redirect_uris: [REDIRECT_URI],
    });
    const tokens = await tokensFor(client, 'profile');
    expect(tokens.id_token).toBeUndefined();
    const res = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope"/);
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('accepts the access token in a POST form body (RFC 6750 2.2) but never in the query', async () => {
    const client = rpFor(issuer, {
      client_id: 'web-opaque',
      client_secret: 'web-opaque-secret-0123456789abcdef',
      redirect_uris: [REDIRECT_URI],
    });
    const tokens = await tokensFor(client, 'openid');
    const post = await fetch(`${base}/userinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token! }),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ sub: ALICE.sub });
    const query = await fetch(`${base}/userinfo?access_token=${tokens.access_token}`);
    // RFC 6750 2.3 is a MAY; URLs end up in logs and Referer headers, so it is refused.
    expect(query.status).toBe(400);
    expect(query.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_request"/);
    expect(await query.json()).toMatchObject({ error: 'invalid_request' });
  });
});
