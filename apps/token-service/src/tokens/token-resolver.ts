import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, type JWK } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import { verifyOurJwt, type OpaqueTokenKind } from '@idp/crypto';
import {
  findTokenRole,
  grantDecider,
  grantStream,
  type Grant,
  type ActiveUser,
  type IntrospectionRef,
  type RegisteredClient,
  type TokenRole,
} from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { ClientRegistry } from '../clients/client-registry.service';
import { grantOfToken } from '../grants/grant-loader';
import { KeyRingService } from '../keys/key-ring.service';
import { TokenSecrets } from '../secrets/token-secrets';
import { UserDirectory } from '../users/user-directory.service';
import { TokenMinter } from './token-minter.service';
import { ourJwtKind } from './our-jwt-kind';
import { USERINFO_HANDLE_HEADER, UserinfoHandles } from './userinfo-handle';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Compact JWE (RFC 7516 7.1); the encrypted key is empty for ECDH-ES.
const JWE_SHAPE =
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The kinds of token a client can present (RFC 7009 token_type_hint values). */
export type PresentedTokenKind = 'access_token' | 'refresh_token';
export const ALL_TOKEN_KINDS: readonly PresentedTokenKind[] = ['access_token', 'refresh_token'];

/** A token we issued, with its grant as the event store has it now. */
export interface ResolvedToken {
  readonly grantId: string;
  readonly state: Grant;
  /** What the token is to its grant; undefined if the grant does not know it. */
  readonly role: TokenRole | undefined;
  /** Where its introspection entry lives (ADR 0008). */
  readonly ref: IntrospectionRef;
}

/** A compact JWE: we cannot decrypt it, only find it by its userinfo handle. */
export const looksEncrypted = (token: string): boolean => JWE_SHAPE.test(token);

/**
 * From a presented token to its grant, for every format we issue (shared by
 * /userinfo, introspection and revocation, so they can never disagree on
 * what a token is):
 * - opaque `at_`/`rt_`: the MAC is checked before any read, then the grant;
 * - `at+jwt`: verified against our keys and issuer (an ID token, typ JWT,
 *   does not verify), then its jti names the grant;
 * - JWE `at+jwt` encrypted to a resource server: we cannot decrypt or check
 *   it, so it is found by the MACed userinfo handle in its protected header
 *   (ADR 0007). Without a handle (issued without openid) it cannot be
 *   resolved and is reported as not ours.
 * Anything malformed, forged or foreign resolves to undefined.
 */
@Injectable()
export class TokenResolver {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
    private readonly secrets: TokenSecrets,
    private readonly keys: KeyRingService,
    private readonly handles: UserinfoHandles,
    private readonly users: UserDirectory,
    private readonly clients: ClientRegistry,
  ) {}

  /**
   * The grant's client and user as they are now. A deleted user or client
   * takes its tokens with it: callers treat a missing one as inactive.
   * Grants without an end-user (client_credentials) have no user and are not gone for it.
   */
  async owners(state: Grant): Promise<{
    readonly user: ActiveUser | undefined;
    readonly client: RegisteredClient | undefined;
    readonly gone: boolean;
  }> {
    const [user, client] = await Promise.all([
      state.sub === undefined ? undefined : this.users.findBySub(state.sub),
      this.clients.find(state.clientId),
    ]);
    return { user, client, gone: !client || (state.sub !== undefined && !user) };
  }

  /** Tries the kinds in the order given (a hint goes first); the first that resolves wins. */
  async resolve(
    token: string,
    kinds: readonly PresentedTokenKind[] = ALL_TOKEN_KINDS,
  ): Promise<ResolvedToken | undefined> {
    for (const kind of kinds) {
      const found =
        kind === 'access_token' ? await this.accessToken(token) : await this.refreshToken(token);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Whether the token is one of our signed JWTs that is not an access token:
   * an ID token (typ JWT) or a logout token. Signature and issuer are
   * checked, expiry is not (an expired ID token is still an ID token), so
   * only a token we issued is told apart from an unknown one.
   */
  async signedNonAccessKind(token: string): Promise<'id_token' | 'logout_token' | undefined> {
    if (!JWT_SHAPE.test(token)) return undefined;
    const jwks = (await this.keys.publicJwks()).keys as unknown as JWK[];
    const found = await ourJwtKind(token, jwks, this.config.ISSUER);
    return found === undefined || found.kind === 'access_token' ? undefined : found.kind;
  }

  private refreshToken(token: string): Promise<ResolvedToken | undefined> {
    return token.startsWith('rt_')
      ? this.opaque(token, 'rt', 'refresh_token')
      : Promise.resolve(undefined);
  }

  private accessToken(token: string): Promise<ResolvedToken | undefined> {
    if (token.startsWith('at_')) return this.opaque(token, 'at', 'opaque_access_token');
    if (JWE_SHAPE.test(token)) return this.encrypted(token);
    if (JWT_SHAPE.test(token)) return this.signed(token);
    return Promise.resolve(undefined);
  }

  private async opaque(
    token: string,
    kind: OpaqueTokenKind,
    refKind: 'opaque_access_token' | 'refresh_token',
  ): Promise<ResolvedToken | undefined> {
    const found = await grantOfToken(this.runner, this.secrets.macKey, token, kind);
    if (!found || found.state.status === 'empty') return undefined;
    const tokenHash = this.secrets.tokenHash(token);
    return {
      grantId: found.grantId,
      state: found.state,
      role: findTokenRole(found.state, { tokenHash }),
      ref: { kind: refKind, tokenHash },
    };
  }

  private async signed(token: string): Promise<ResolvedToken | undefined> {
    let jwks = (await this.keys.publicJwks()).keys as unknown as JWK[];
    // A key another replica rotated in moments ago: this replica's ring may be
    // up to CLIENT_CACHE_MS old, so an unknown kid reads the ring afresh.
    const kid = kidOf(token);
    if (kid !== undefined && !jwks.some((k) => k.kid === kid))
      jwks = (await this.keys.publicJwks(true)).keys as unknown as JWK[];
    const payload = await verifyOurJwt(token, {
      jwks,
      issuer: this.config.ISSUER,
      typ: 'at+jwt',
    }).catch(() => undefined);
    if (!payload || typeof payload.jti !== 'string') return undefined;
    return this.byJti(payload.jti);
  }

  /**
   * The header is all we can read, and we cannot check its integrity (the
   * JWE tag needs the resource server's key): the handle's own MAC is what
   * proves we issued it. The grant's record must say the jti is a jwe token.
   */
  private async encrypted(token: string): Promise<ResolvedToken | undefined> {
    let handle: unknown;
    try {
      handle = decodeProtectedHeader(token)[USERINFO_HANDLE_HEADER];
    } catch {
      return undefined;
    }
    const jti = this.handles.jtiOf(handle);
    const found = jti === undefined ? undefined : await this.byJti(jti);
    if (found?.role?.role === 'access_token' && found.role.token.format !== 'jwe') return undefined;
    return found;
  }

  private async byJti(jti: string): Promise<ResolvedToken | undefined> {
    const grantId = TokenMinter.grantIdOfJti(jti);
    if (!grantId) return undefined;
    const { state } = await this.runner.load(grantDecider, grantStream(grantId));
    if (state.status === 'empty') return undefined;
    return {
      grantId,
      state,
      role: findTokenRole(state, { jti }),
      ref: { kind: 'jwt_access_token', jti },
    };
  }
}

function kidOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
