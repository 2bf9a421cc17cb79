import { Inject, Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import type { ActorClaim, Confirmation } from '@idp/contracts';
import { constantTimeEqual, TokenVerificationError, verifyOurJwt } from '@idp/crypto';
import {
  tokenIsActive,
  type IssuedAccessToken,
  type PresentedTokenType,
  type RegisteredClient,
} from '@idp/domain';
import { InvalidGrant, InvalidRequest } from '@idp/oauth-errors';
import { KeyRingService } from '../../keys/key-ring.service';
import { TokenResolver } from '../../tokens/token-resolver';
import { UserDirectory } from '../../users/user-directory.service';
import { TrustedIssuers } from './trusted-issuers';

/**
 * A subject token, resolved. `grant`: one of our access tokens, live in
 * its grant (the exchanged token joins that grant). `new`: one of our ID
 * tokens (no access token to join: the exchange starts a grant of its own,
 * found by the same sub and sid, ADR 0033).
 */
export type ExchangeSubject =
  | {
      readonly kind: 'grant';
      readonly grantId: string;
      readonly sub: string;
      readonly sid?: string | undefined;
      readonly token: IssuedAccessToken;
    }
  | {
      readonly kind: 'new';
      readonly sub: string;
      readonly sid?: string | undefined;
      readonly scope: string;
      /** A trusted issuer's token may already carry a delegation chain, and may_act. */
      readonly act?: ActorClaim | undefined;
      readonly mayAct?: unknown;
    };

const badToken = (param: string) => new InvalidRequest(`${param} is not a token we can accept`);

/**
 * From the subject_token and actor_token of an RFC 8693 request to who they
 * name. Access tokens go through the TokenResolver that /userinfo and
 * introspection use (every format, revocation read from the event store),
 * so a token they call inactive can never be exchanged.
 */
@Injectable()
export class ExchangeTokens {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly tokens: TokenResolver,
    private readonly keys: KeyRingService,
    private readonly trusted: TrustedIssuers,
    private readonly users: UserDirectory,
  ) {}

  async subject(
    token: string,
    type: PresentedTokenType,
    client: RegisteredClient,
    binding: Confirmation | undefined,
    now: number,
  ): Promise<ExchangeSubject> {
    if (type === 'id_token') return this.ourUser(await this.idToken(token, client, now));
    if (type === 'jwt') {
      if (!this.trusted.configured)
        throw new InvalidRequest('subject_token_type jwt is accepted only from trusted issuers');
      const external = await this.trusted.verify(token, now);
      return this.ourUser({
        kind: 'new',
        sub: external.sub,
        scope: external.scope,
        ...(external.act === undefined ? {} : { act: external.act }),
        ...(external.mayAct === undefined ? {} : { mayAct: external.mayAct }),
      });
    }
    const found = await this.liveAccessToken(token, 'subject_token', now);
    const { state, token: issued } = found;
    if (state.sub === undefined)
      throw new InvalidRequest('the subject token has no end-user (client_credentials)');
    // The client exchanges what was issued to it or for it, never a token it merely holds.
    const holder = issued.issuedTo ?? state.clientId;
    if (holder !== client.clientId && !issued.aud.includes(client.clientId))
      throw new InvalidGrant('the subject token was neither issued to this client nor for it');
    assertPossession(issued.cnf, binding);
    return {
      kind: 'grant',
      grantId: state.grantId,
      sub: state.sub,
      ...(state.sid === undefined ? {} : { sid: state.sid }),
      token: issued,
    };
  }

  /**
   * The actor: one of our live access tokens issued to the exchanging
   * client itself (its client_credentials token, typically). Proving the
   * actor with a token of another client would let a client borrow an
   * identity; the client's own token proves nothing it has not proved by
   * authenticating, but names the actor the chain records.
   */
  async actor(
    token: string,
    type: PresentedTokenType,
    client: RegisteredClient,
    now: number,
  ): Promise<ActorClaim> {
    if (type !== 'access_token')
      throw new InvalidRequest('actor_token_type must be an access token of ours');
    const { state, token: issued } = await this.liveAccessToken(token, 'actor_token', now);
    const holder = issued.issuedTo ?? state.clientId;
    if (holder !== client.clientId)
      throw new InvalidRequest('the actor token was not issued to this client');
    return { sub: state.sub ?? holder, client_id: holder };
  }

  /**
   * A subject that starts a grant of its own must be one of our users: a
   * trusted issuer vouches for them, it does not bring identities of its
   * own (whose sub could collide with one of ours at every resource server).
   */
  private async ourUser(subject: ExchangeSubject): Promise<ExchangeSubject> {
    if ((await this.users.findBySub(subject.sub)) === undefined)
      throw new InvalidGrant('the subject of the subject_token is not a user of this server');
    return subject;
  }

  private async liveAccessToken(token: string, param: string, now: number) {
    const found = await this.tokens.resolve(token, ['access_token']);
    if (!found) throw badToken(param);
    const { state, role } = found;
    if (role?.role !== 'access_token') throw badToken(param);
    if (!tokenIsActive(state, role, now)) throw new InvalidGrant(`the ${param} is not active`);
    // A deleted user or client takes its tokens with it (as at /userinfo and introspection).
    if ((await this.tokens.owners(state)).gone)
      throw new InvalidGrant(`the ${param} is not active`);
    return { state, token: role.token };
  }

  /**
   * One of our ID tokens, issued to this client: signature with our keys,
   * typ JWT, iss, aud = this client, exp. It carries no scope: the
   * exchange may grant `openid` only.
   */
  private async idToken(
    token: string,
    client: RegisteredClient,
    now: number,
  ): Promise<ExchangeSubject> {
    const jwks = (await this.keys.publicJwks()).keys as unknown as JWK[];
    const payload = await verifyOurJwt(token, {
      jwks,
      issuer: this.config.ISSUER,
      typ: 'JWT',
      audience: client.clientId,
      now,
    }).catch((err: unknown) => {
      // Ours and well formed but past its exp: inactive (invalid_grant), not malformed.
      if (err instanceof TokenVerificationError && err.reason === 'expired')
        throw new InvalidGrant('the subject_token is not active');
      return undefined;
    });
    if (!payload || typeof payload.sub !== 'string') throw badToken('subject_token');
    return {
      kind: 'new',
      sub: payload.sub,
      ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
      scope: 'openid',
    };
  }
}

/**
 * RFC 9449 / RFC 8705: a sender-constrained subject token is exchanged only
 * by a request that proves the same key; otherwise a stolen bound token
 * would become a Bearer one here.
 */
function assertPossession(bound: Confirmation | undefined, presented: Confirmation | undefined) {
  for (const member of ['jkt', 'x5t#S256'] as const) {
    const want = bound?.[member];
    if (want === undefined) continue;
    const got = presented?.[member];
    if (got === undefined || !constantTimeEqual(got, want))
      throw new InvalidGrant(
        'the subject token is sender-constrained: the request must prove its key',
      );
  }
}
