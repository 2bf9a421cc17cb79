import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@idp/crypto';
import { CLIENTS, serviceClient } from '../introspection/introspection.fixtures';
import { RP } from '../logout/logout.fixtures';
import { ALICE, REDIRECT_URI } from '../oidc/seed';

/**
 * scrypt's cost for Alice in the fault tests: N=2^14 (~12 ms a check) rather
 * than the product's 2^17 (~100 ms). Their load signs in back to back from
 * two workers on a 2-core machine that also runs every service, Kafka and
 * PostgreSQL: at the product's cost those logins alone would take most of
 * both cores, and a restart test would time a CPU-starved process rather
 * than the restart. The verifier reads the cost from the stored hash, so
 * the login path is the same one.
 */
const LOAD_TEST_SCRYPT = { N: 2 ** 14 };

/**
 * What the fault tests drive load with: client_credentials clients in both
 * token formats, and a code-flow RP with a user to sign in.
 */
export async function writeFaultsSeed(name: string): Promise<string> {
  const seed = {
    clients: [
      serviceClient(CLIENTS.opaque, 'opaque'),
      serviceClient(CLIENTS.jwt, 'jwt'),
      {
        client_id: RP.a.id,
        client_secret: RP.a.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        access_token_format: RP.a.format,
        scope: 'openid profile',
        skip_consent: true,
      },
    ],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        passwordHash: await hashPassword(ALICE.password, LOAD_TEST_SCRYPT),
        claims: {},
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), `idp-${name}-`)), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}
