import { Inject, Injectable, Logger } from '@nestjs/common';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { introspectionWritesFor, type GrantEventBody } from '@idp/domain';
import { applyIntrospectionWrites } from '@idp/eventsourcing';
import { TemporarilyUnavailable } from '@idp/oauth-errors';

/** Events that end a token: revocations, and a rotation (it ends the replaced refresh token). */
const TOKEN_ENDINGS: ReadonlySet<string> = new Set([
  'grant.revoked',
  'grant.access_token_revoked',
  'grant.refresh_token_issued',
]);

/**
 * Guarantee 2 (ADR 0008): once a revocation has committed, token-service
 * writes its tombstones into the introspection read model itself, before
 * the request that caused it returns, instead of waiting for Kafka and the
 * projection. Used by /revoke, refresh-token reuse detection, code replay
 * and refresh-token rotation (the replaced token is dead when /token answers).
 */
@Injectable()
export class IntrospectionTombstones {
  private readonly log = new Logger('IntrospectionTombstones');

  constructor(@Inject(READ_MODEL_CACHE) private readonly cache: ReadModelCache) {}

  /**
   * Writes the tombstones the given (committed) events imply; other events
   * are ignored, as are the active records (those are the projection's).
   * A failed write is a 503 (fail closed): the revocation is committed and
   * /userinfo already refuses the token, the client retries the idempotent
   * request, and the retry writes the tombstones again.
   */
  async write(events: readonly { readonly type: string; readonly data: unknown }[]): Promise<void> {
    const writes = events
      .filter((e) => TOKEN_ENDINGS.has(e.type))
      .flatMap((e) => introspectionWritesFor(e as GrantEventBody))
      .filter((w) => !w.ifAbsent);
    if (writes.length === 0) return;
    try {
      await applyIntrospectionWrites(this.cache, writes);
    } catch (err) {
      this.log.warn(`tombstone write failed: ${(err as Error).message}`);
      throw new TemporarilyUnavailable(
        'the revocation is recorded but could not be propagated yet; retry the request',
        { cause: err },
      );
    }
  }
}
