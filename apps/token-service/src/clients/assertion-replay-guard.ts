import { Inject, Injectable, Logger } from '@nestjs/common';
import { REPLAY_STORE, type ReplayStore } from '@idp/cache';
import { sha256Base64url } from '@idp/crypto';
import { TemporarilyUnavailable } from '@idp/oauth-errors';

/**
 * Remembers client-assertion jtis (client_secret_jwt and private_key_jwt)
 * until they expire, so an intercepted assertion cannot be replayed (RFC
 * 7523 3, item 7). The claim goes to the ReplayStore every replica shares
 * (Redis in the distributed mode, memory in the embedded one), the same
 * "accept once" port as DPoP proof jtis, so a replay is refused whichever
 * replica it reaches. The key is a digest: a jti is the client's choice, of
 * any length and content.
 */
@Injectable()
export class AssertionReplayGuard {
  private readonly log = new Logger('AssertionReplayGuard');

  constructor(@Inject(REPLAY_STORE) private readonly store: ReplayStore) {}

  /**
   * True for the first use of this client's jti, false for a replay.
   * `exp`, `now`: seconds since the epoch. A store that cannot answer is a
   * 503: neither accepting a possible replay nor blaming the client.
   */
  async firstUse(clientId: string, jti: string, exp: number, now: number): Promise<boolean> {
    const key = `client-assertion:${sha256Base64url(`${clientId}\u0000${jti}`)}`;
    try {
      return await this.store.claimOnce(key, Math.max(1, exp - now) * 1000);
    } catch (err) {
      this.log.warn(`assertion replay check failed: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('client authentication is unavailable; retry the request', {
        cause: err,
      });
    }
  }
}
