import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import { verifyOurJwt, type SigningAlg } from '@idp/crypto';
import {
  claimsForScopes,
  findTokenRole,
  grantDecider,
  grantStream,
  hasScope,
  tokenIsActive,
  type GrantState,
  type TokenRole,
} from '@idp/domain';
import { COMMAND_RUNNER, type CommandRunner } from '@idp/nest-kit';
import { InsufficientScope, InvalidToken } from '@idp/oauth-errors';
import { ClientRegistry } from '../clients/client-registry.service';
import { grantOfToken } from '../grants/grant-loader';
import { nowSeconds } from '../grants/grant-handler';
import { KeyRingService } from '../keys/key-ring.service';
import { TokenSecrets } from '../secrets/token-secrets';
import { TokenMinter } from '../tokens/token-minter.service';
import { USERINFO_HANDLE_HEADER, UserinfoHandles } from '../tokens/userinfo-handle';
import { UserDirectory } from '../users/user-directory.service';

type Userinfo =
  { format: 'json'; claims: Record<string, unknown> } | { format: 'jwt'; jwt: string };
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Compact JWE (RFC 7516 7.1); the encrypted key is empty for ECDH-ES.
const JWE_SHAPE =
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
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
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
    private readonly secrets: TokenSecrets,
    private readonly keys: KeyRingService,
    private readonly users: UserDirectory,
    private readonly clients: ClientRegistry,
    private readonly handles: UserinfoHandles,
  ) {}

  async userinfo(token: string): Promise<Userinfo> {
    const now = nowSeconds();
    const { state, role } = await this.resolve(token);
    if (
      !tokenIsActive(state, role, now) ||
      role?.role !== 'access_token' ||
      state.status === 'empty' ||
      !state.sub
    ) {
      throw new InvalidToken();
    }
    if (!hasScope(role.token.scope, 'openid'))
      throw new InsufficientScope('openid', 'userinfo needs the openid scope');
    // A deleted user or client takes its tokens with it.
    const user = await this.users.findBySub(state.sub);
    const client = await this.clients.find(state.clientId);
    if (!user || !client) throw new InvalidToken();
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

  private async resolve(
    token: string,
  ): Promise<{ state: GrantState; role: TokenRole | undefined }> {
    if (token.startsWith('at_')) {
      const found = await grantOfToken(this.runner, this.secrets.macKey, token, 'at');
      if (!found) throw new InvalidToken();
      return {
        state: found.state,
        role: findTokenRole(found.state, { tokenHash: this.secrets.tokenHash(token) }),
      };
    }
    if (JWE_SHAPE.test(token)) return this.resolveEncrypted(token);
    if (!JWT_SHAPE.test(token)) throw new InvalidToken();
    const jwks = (await this.keys.publicJwks()).keys as unknown as JWK[];
    const payload = await verifyOurJwt(token, {
      jwks,
      issuer: this.config.ISSUER,
      typ: 'at+jwt',
    }).catch(() => {
      throw new InvalidToken();
    });
    const jti = String(payload.jti);
    const grantId = TokenMinter.grantIdOfJti(jti);
    if (!grantId) throw new InvalidToken();
    const { state } = await this.runner.load(grantDecider, grantStream(grantId));
    return { state, role: findTokenRole(state, { jti }) };
  }

  /**
   * The header is all we can read, and we cannot check its integrity (the
   * JWE tag needs the resource server's key): the handle's own MAC is what
   * proves we issued it. The grant's record must say the jti is a jwe token.
   */
  private async resolveEncrypted(
    token: string,
  ): Promise<{ state: GrantState; role: TokenRole | undefined }> {
    let handle: unknown;
    try {
      handle = decodeProtectedHeader(token)[USERINFO_HANDLE_HEADER];
    } catch {
      throw new InvalidToken();
    }
    const jti = this.handles.jtiOf(handle);
    const grantId = jti && TokenMinter.grantIdOfJti(jti);
    if (!jti || !grantId) throw new InvalidToken(UNREADABLE_JWE);
    const { state } = await this.runner.load(grantDecider, grantStream(grantId));
    const role = findTokenRole(state, { jti });
    if (role?.role === 'access_token' && role.token.format !== 'jwe') throw new InvalidToken();
    return { state, role };
  }
}
