// Seeds for back-channel logout scenarios, shared by the e2e tests
// (test/e2e/logout, test/e2e/faults) and the benchmark (bench/backchannel),
// which loads the built copy: one definition of what such an RP looks like.
// Plain Node, no jest: the benchmark runs it outside a test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A seed file's content (SEED_FILE): token-service's seed loader validates it. */
export interface Seed {
  readonly clients: readonly Readonly<Record<string, unknown>>[];
  readonly users: readonly Readonly<Record<string, unknown>>[];
}

/** An RP that receives back-channel logout tokens at `uri`. */
export interface BackchannelRp {
  readonly clientId: string;
  readonly uri: string;
}

export interface SeedUser {
  readonly sub: string;
  readonly username: string;
  readonly password: string;
}

export interface BackchannelSeedOptions {
  readonly redirectUri: string;
  /** The one end-user who signs in to every RP. */
  readonly user: SeedUser;
  /** Default `['id_token']`; add `'id_token token'` for an access token as well. */
  readonly responseTypes?: readonly string[];
  /** The RPs' ID-token (so also logout-token) signing alg; the service's default when unset. */
  readonly idTokenAlg?: string;
}

/** The client secret every seeded RP gets (at least 32 characters, as the service requires). */
export const rpSecret = (clientId: string): string => `${clientId}-secret-0123456789abcdefghijkl`;

/**
 * RPs that get an ID token straight from /authorize (implicit, no consent
 * screen), so a session can be joined over the token RPC without a browser,
 * each with its back-channel logout URI and `sid` required in the token.
 */
export function backchannelSeed(
  rps: readonly BackchannelRp[],
  options: BackchannelSeedOptions,
): Seed {
  return {
    clients: rps.map(({ clientId, uri }) => ({
      client_id: clientId,
      client_secret: rpSecret(clientId),
      grant_types: ['implicit'],
      response_types: [...(options.responseTypes ?? ['id_token'])],
      redirect_uris: [options.redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
      skip_consent: true,
      scope: 'openid',
      backchannel_logout_uri: uri,
      backchannel_logout_session_required: true,
      ...(options.idTokenAlg ? { id_token_signed_response_alg: options.idTokenAlg } : {}),
    })),
    users: [{ ...options.user }],
  };
}

/** Writes `seed` to a fresh temporary directory; the file's path (remove its directory after use). */
export function writeSeedFile(seed: Seed, prefix = 'idp-seed-'): string {
  const file = join(mkdtempSync(join(tmpdir(), prefix)), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}
