import type { JWK } from 'jose';
import { encryptAccessToken } from '@idp/crypto';
import type { RegisteredResource } from '@idp/domain';

/**
 * Nests our signed `at+jwt` in a JWE to the resource server's first key with
 * @idp/crypto's encryptAccessToken (the same function the tests use), plus
 * optional extra protected header parameters (the userinfo handle). The key
 * passed the same checks when the resource was registered, so they cannot
 * fail here. AES-256-GCM: the content encryption every JOSE library an RS
 * may use supports.
 */
export async function encryptForResource(
  signedJwt: string,
  resource: RegisteredResource,
  extraHeader: Readonly<Record<string, string>> = {},
): Promise<string> {
  const jwk = resource.keys[0] as JWK | undefined;
  if (!jwk?.alg) throw new Error(`resource ${resource.resource} has no encryption key`);
  return encryptAccessToken(signedJwt, { jwk, enc: 'A256GCM', header: extraHeader });
}
