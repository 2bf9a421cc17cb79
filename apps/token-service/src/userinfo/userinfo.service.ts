import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import { CLOCK } from '@idp/nest-kit';
import type { Clock, Confirmation } from '@idp/contracts';
import { constantTimeEqual, type SigningAlg } from '@idp/crypto';
import { claimsRequestForClient, hasScope, tokenIsActive, userinfoClaims } from '@idp/domain';
import { dpopInvalidToken, InsufficientScope, InvalidToken } from '@idp/oauth-errors';
import { KeyRingService } from '../keys/key-ring.service';
import { looksEncrypted, TokenResolver } from '../tokens/token-resolver';

/** How the token was presented: its scheme, and for DPoP the verified proof's key (RFC 9449 7). */
export interface Presentation {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly cnf?: Confirmation | undefined;
}

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

  async userinfo(
    token: string,
    presentation: Presentation = { scheme: 'Bearer' },
  ): Promise<Userinfo> {
    const now = this.clock.nowSeconds();
    const found = await this.tokens.resolve(token, ['access_token']);
    if (!found) throw new InvalidToken(looksEncrypted(token) ? UNREADABLE_JWE : undefined);
    const { state, role } = found;
    if (!tokenIsActive(state, role, now) || role?.role !== 'access_token') {
      throw new InvalidToken();
    }
    this.checkBinding(role.token.cnf, presentation);
    // A deleted user or client takes its tokens with it.
    const { user, client, gone } = await this.tokens.owners(state);
    if (gone || !client) throw new InvalidToken();
    // A valid token that cannot be used here: no end-user (client_credentials), or no openid.
    if (!user)
      throw new InsufficientScope('openid', 'userinfo needs a token issued to an end-user');
    if (!hasScope(role.token.scope, 'openid'))
      throw new InsufficientScope('openid', 'userinfo needs the openid scope');
    // OIDC Core 5.5: the scopes' claims and those the grant's claims request
    // named for userinfo, within what the client may still ask for.
    const requested = claimsRequestForClient(state.claimsRequest, client.metadata.scope);
    const claims = {
      ...userinfoClaims(user.claims, role.token.scope, requested),
      sub: user.sub,
    };
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

  /**
   * RFC 8705 3: a certificate-bound token only over a connection with its
   * certificate. RFC 9449 7.1: a DPoP-bound token only with the DPoP scheme and a proof by
   * its key (compared in constant time), and the DPoP scheme only for a bound
   * token; anything else is invalid_token with a DPoP challenge.
   */
  private checkBinding(cnf: Confirmation | undefined, presentation: Presentation): void {
    // RFC 8705 3: a certificate-bound token only with the certificate it is bound to.
    const boundCertificate = cnf?.['x5t#S256'];
    if (boundCertificate !== undefined) {
      const presented = presentation.cnf?.['x5t#S256'];
      if (presented === undefined || !constantTimeEqual(presented, boundCertificate))
        throw new InvalidToken(
          'the access token is bound to a client certificate this request did not present',
        );
    }
    const algs = this.config.DPOP_SIGNING_ALGS;
    const bound = cnf?.jkt;
    if (bound === undefined) {
      if (presentation.scheme === 'DPoP')
        throw dpopInvalidToken('the access token is not bound to a DPoP key', algs);
      return;
    }
    if (presentation.scheme !== 'DPoP')
      throw dpopInvalidToken(
        'the access token is DPoP-bound: present it with the DPoP scheme',
        algs,
      );
    const proved = presentation.cnf?.jkt;
    if (proved === undefined || !constantTimeEqual(proved, bound))
      throw dpopInvalidToken('the DPoP proof is not signed by the key the token is bound to', algs);
  }
}
