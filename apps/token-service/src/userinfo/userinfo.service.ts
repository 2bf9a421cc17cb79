import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import { CLOCK } from '@idp/nest-kit';
import type { Clock } from '@idp/contracts';
import type { SigningAlg } from '@idp/crypto';
import { claimsForScopes, hasScope, tokenIsActive } from '@idp/domain';
import { InsufficientScope, InvalidToken } from '@idp/oauth-errors';
import { KeyRingService } from '../keys/key-ring.service';
import { looksEncrypted, TokenResolver } from '../tokens/token-resolver';

type Userinfo =
  { format: 'json'; claims: Record<string, unknown> } | { format: 'jwt'; jwt: string };
const UNREADABLE_JWE =
  'the access token is encrypted to a resource server and cannot be read here: ' +
  'userinfo accepts an encrypted access token only if it was issued with the openid scope';

/**
 * OIDC Core 5.3 over every access token we issue: opaque, `at+jwt`, or an
 * `at+jwt` encrypted to a resource server, which we cannot decrypt and find
 * by the MACed userinfo handle in its header instead (ADR 0007). The grant
 * is always read from the event store, so a revoked or logged-out grant
 * stops answering at once. ID tokens (typ JWT) and foreign tokens fail
 * verification and get `invalid_token`.
 */
@Injectable()
export class UserinfoService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly tokens: TokenResolver,
    private readonly keys: KeyRingService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async userinfo(token: string): Promise<Userinfo> {
    const now = this.clock.nowSeconds();
    const found = await this.tokens.resolve(token, ['access_token']);
    if (!found) throw new InvalidToken(looksEncrypted(token) ? UNREADABLE_JWE : undefined);
    const { state, role } = found;
    if (!tokenIsActive(state, role, now) || role?.role !== 'access_token') {
      throw new InvalidToken();
    }
    // A deleted user or client takes its tokens with it.
    const { user, client, gone } = await this.tokens.owners(state);
    if (gone || !client) throw new InvalidToken();
    // A valid token that cannot be used here: no end-user (client_credentials), or no openid.
    if (!user)
      throw new InsufficientScope('openid', 'userinfo needs a token issued to an end-user');
    if (!hasScope(role.token.scope, 'openid'))
      throw new InsufficientScope('openid', 'userinfo needs the openid scope');
    const claims = { ...claimsForScopes(user.claims, role.token.scope), sub: user.sub };
    const alg = client.metadata.userinfo_signed_response_alg;
    if (!alg) return { format: 'json', claims };
    const key = await this.keys.signingKey(alg as SigningAlg);
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.config.ISSUER)
      .setAudience(client.clientId)
      .setIssuedAt(now)
      .sign(key.key);
    return { format: 'jwt', jwt };
  }
}
