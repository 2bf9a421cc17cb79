import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import { CLOCK } from '@idp/nest-kit';
import type { ClientAuthentication, Clock } from '@idp/contracts';
import type { SigningAlg } from '@idp/crypto';
import {
  introspectionKey,
  recordFromGrant,
  REVOKED,
  UNKNOWN,
  type IntrospectionRecord,
  type TokenRole,
} from '@idp/domain';
import { ClientAuthenticator } from '../clients/client-authenticator';
import { KeyRingService } from '../keys/key-ring.service';
import { TokenResolver } from '../tokens/token-resolver';

/** RFC 9701 responses are signed with the key-ring's default algorithm (OIDC's RS256). */
export const INTROSPECTION_SIGNING_ALG: SigningAlg = 'RS256';

/** What recordFromGrant needs to know about the token's place in its grant. */
function asFound(role: TokenRole | undefined): Parameters<typeof recordFromGrant>[1] {
  if (role === undefined) return undefined;
  switch (role.role) {
    case 'access_token':
    case 'refresh_token':
      return role;
    case 'authorization_code':
    case 'rotated_refresh_token':
      return { role: 'other' };
  }
}

/**
 * token-service's half of RFC 7662: the authoritative answer from the event
 * store (introspection-service's read-through on a cache miss, ADR 0008),
 * client authentication for the introspection endpoint, and RFC 9701 signing.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly tokens: TokenResolver,
    private readonly authenticator: ClientAuthenticator,
    private readonly keys: KeyRingService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Confidential clients only: a public client cannot introspect (RFC 7662 2.1). */
  async authenticateClient(input: {
    clientAuth: ClientAuthentication;
    endpoint: string;
  }): Promise<{ clientId: string }> {
    const client = await this.authenticator.authenticateConfidential(
      input.clientAuth,
      input.endpoint,
      this.config.ISSUER,
    );
    return { clientId: client.clientId };
  }

  /**
   * `key` is null for anything that is not ours (malformed, forged, foreign,
   * an authorization code, an encrypted token without a userinfo handle):
   * such answers are not worth caching under a key a caller chose. A token
   * whose user or client has been deleted is inactive, like at /userinfo.
   */
  async introspect(token: string): Promise<{ key: string | null; record: IntrospectionRecord }> {
    const found = await this.tokens.resolve(token);
    if (!found) return { key: null, record: UNKNOWN };
    let record = recordFromGrant(found.state, asFound(found.role), this.clock.nowSeconds());
    if (record.active && (await this.tokens.owners(found.state)).gone) record = REVOKED;
    return { key: introspectionKey(found.ref), record };
  }

  /** RFC 9701 5: a JWT with typ token-introspection+jwt, for the calling resource server. */
  async signResponse(input: {
    audience: string;
    claims: Record<string, unknown>;
  }): Promise<{ jwt: string }> {
    const key = await this.keys.signingKey(INTROSPECTION_SIGNING_ALG);
    const jwt = await new SignJWT({ token_introspection: input.claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'token-introspection+jwt' })
      .setIssuer(this.config.ISSUER)
      .setAudience(input.audience)
      .setIssuedAt(this.clock.nowSeconds())
      .sign(key.key);
    return { jwt };
  }
}
