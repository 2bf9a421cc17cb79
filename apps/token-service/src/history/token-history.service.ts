import { Inject, Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { CONFIG, type Config } from '@idp/config';
import type { TokenHistory } from '@idp/contracts';
import { instantMs } from '@idp/domain';
import { EVENT_STORE, type EventStore } from '@idp/eventstore';
import type { CommandRunner } from '@idp/eventsourcing';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import { UnsupportedTokenType } from '@idp/oauth-errors';
import { notFound } from '../admin/admin-errors';
import { KeyRingService } from '../keys/key-ring.service';
import { TokenSecrets } from '../secrets/token-secrets';
import { UserinfoHandles } from '../tokens/userinfo-handle';
import { readTokenHistory, type HistoryToken } from './read-token-history';
import { identifyToken, type TokenIdentity } from './token-identity';

const NOT_OURS = 'the token is not one this server issued (or its grant is unknown)';

/** What an operator is told about a token of ours that has no state of its own in a grant. */
const NO_STATE: Readonly<Record<string, string>> = {
  id_token:
    'an ID token is not an access or refresh token: it is never revoked or introspected; ask about the access token, or the grant',
  logout_token: 'a logout token is not an access or refresh token',
  device_code: 'a device code is not an access or refresh token',
  authorization_code:
    'an authorization code is not an access or refresh token: ask about its grant id, or a token issued for it',
};

export interface TokenHistoryRequest {
  readonly token?: string | undefined;
  readonly grantId?: string | undefined;
  /** RFC 3339; now when absent. */
  readonly at?: string | undefined;
}

/**
 * AdminRpc `tokenHistory` (ADR 0037): a token (or a grant id) to its grant's
 * events and its state at an instant, read from the event store, never from
 * Redis. The token is identified as TokenResolver would, signature checked
 * but expiry not; it is never stored, logged or repeated in an error.
 */
@Injectable()
export class TokenHistoryService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly secrets: TokenSecrets,
    private readonly handles: UserinfoHandles,
    private readonly keys: KeyRingService,
  ) {}

  async history({ token, grantId, at }: TokenHistoryRequest): Promise<TokenHistory> {
    const atMs = at === undefined ? this.runner.clock.nowMs() : instantMs(at);
    const identity = token === undefined ? undefined : await this.identify(token);
    const id = identity?.grantId ?? grantId;
    if (id === undefined) throw notFound(NOT_OURS);
    const found = await readTokenHistory(
      this.store,
      id,
      identity && { kind: identity.kind, ref: identity.ref },
      atMs,
    );
    if (!found) throw notFound(identity ? NOT_OURS : 'no such grant');
    return found;
  }

  private async identify(token: string): Promise<HistoryToken & { grantId: string }> {
    const identity: TokenIdentity | undefined = await identifyToken(token, {
      secrets: this.secrets,
      handles: this.handles,
      jwks: async () => (await this.keys.everyPublicJwk()) as unknown as JWK[],
      issuer: this.config.ISSUER,
    });
    if (identity === undefined) throw notFound(NOT_OURS);
    if (identity.kind === 'access_token' || identity.kind === 'refresh_token') return identity;
    throw new UnsupportedTokenType(NO_STATE[identity.kind]);
  }
}
