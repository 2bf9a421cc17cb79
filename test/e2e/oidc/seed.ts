import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';

export const REDIRECT_URI = 'https://rp.example.test/cb';
export const ALICE = {
  username: 'alice',
  password: 'wonderland-is-long-enough',
  sub: 'user-alice-0001',
};

/** A resource server's RSA-OAEP-256 encryption key pair, for JWE access tokens: the public half goes into the seed. */
export function encryptionKeyPair(kid: string): { privateJwk: JWK; publicJwk: JWK } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const meta = { kid, alg: 'RSA-OAEP-256', use: 'enc' };
  return {
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...meta },
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...meta },
  };
}

/** Writes `seed` to a SEED_FILE in a new temporary folder named after `prefix`; its path. */
export function writeSeedJson(prefix: string, seed: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), prefix)), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/** A private_key_jwt client's own key pair: the public half goes into the seed. */
export function clientKeyPair(): { privateJwk: JWK; publicJwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'rp-key-1';
  return {
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' },
  };
}

/**
 * The SEED_FILE of issue #3's configuration contract, with one client per
 * flavour under test. `requestUris`: where `pk-jwt` may have its request
 * objects fetched from (RFC 9101 5.2).
 */
export function writeSeedFile(rpKey: JWK, requestUris: readonly string[] = []): string {
  const common = {
    redirect_uris: [REDIRECT_URI],
    skip_consent: true,
    scope: 'openid profile email offline_access',
  };
  const seed = {
    clients: [
      {
        client_id: 'web-opaque',
        client_secret: 'web-opaque-secret-0123456789abcdef',
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        access_token_format: 'opaque',
        ...common,
      },
      {
        client_id: 'web-jwt',
        client_secret: 'web-jwt-secret-0123456789abcdefgh',
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
        access_token_format: 'jwt',
        access_token_claims: ['roles'],
        ...common,
      },
      {
        client_id: 'spa',
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        ...common,
      },
      {
        client_id: 'pk-jwt',
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [rpKey] },
        ...(requestUris.length > 0 ? { request_uris: [...requestUris] } : {}),
        ...common,
      },
      {
        // Implicit and hybrid flows (OIDC Core 3.2, 3.3): every response type we serve.
        client_id: 'hybrid',
        client_secret: 'hybrid-secret-0123456789abcdefghij',
        grant_types: ['authorization_code', 'implicit', 'refresh_token'],
        response_types: [
          'code',
          'id_token',
          'id_token token',
          'code id_token',
          'code token',
          'code id_token token',
        ],
        token_endpoint_auth_method: 'client_secret_basic',
        ...common,
        scope: 'openid profile email',
      },
      {
        client_id: 'batch-job',
        client_secret: 'batch-job-secret-0123456789abcdef',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        access_token_format: 'jwt',
        scope: 'reports:read reports:write',
      },
    ],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        password: ALICE.password,
        claims: {
          name: 'Alice Liddell',
          email: 'alice@example.test',
          email_verified: true,
          roles: ['reader'],
        },
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'idp-seed-'));
  const file = join(dir, 'seed.json');
  writeFileSync(file, JSON.stringify(seed, null, 2));
  return file;
}
