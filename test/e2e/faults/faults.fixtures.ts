import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENTS, serviceClient } from '../introspection/introspection.fixtures';
import { RP } from '../logout/logout.fixtures';
import { ALICE, REDIRECT_URI } from '../oidc/seed';

/**
 * What the fault tests drive load with: client_credentials clients in both
 * token formats, and a code-flow RP with a user to sign in.
 */
export function writeFaultsSeed(name: string): string {
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
    users: [{ sub: ALICE.sub, username: ALICE.username, password: ALICE.password, claims: {} }],
  };
  const file = join(mkdtempSync(join(tmpdir(), `idp-${name}-`)), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}
