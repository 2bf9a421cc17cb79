import { Logger } from '@nestjs/common';
import type { ReadModelCache } from '@idp/cache';
import { keyedHash, verifyOpaqueToken } from '@idp/crypto';
import {
  decodeRecord,
  introspectionKey,
  UNKNOWN,
  UNKNOWN_TTL_MS,
  type IntrospectionRecord,
  type IntrospectionRef,
} from '@idp/domain';
import { countReadThrough } from '@idp/nest-kit';
import { applyIntrospectionWrites } from '@idp/eventsourcing';
import { type TokenRpcClient } from '@idp/contracts';
import { TemporarilyUnavailable } from '@idp/oauth-errors';
import type { AccessTokenVerifier } from './access-token.verifier';
import { CheckedTokens } from './checked-tokens';
import type { IntrospectionConfig } from './introspection-config';

/** Where a presented token is answered from. */
type Route =
  | { readonly via: 'read_model'; readonly ref: IntrospectionRef }
  /** Ours by shape, but this replica cannot check it (JWE, a key it does not know yet). */
  | { readonly via: 'token_service' }
  /** Forged, malformed, expired or foreign: inactive without any I/O. */
  | { readonly via: 'none' };

/**
 * The token's record, by ADR 0008: check what can be checked locally (the
 * MAC of an opaque token, the signature of a JWT), then one read-model GET;
 * on a miss, an undecodable entry or a cache failure, read through to
 * token-service (the event store is the truth) and remember its answer.
 * When that fails too, TemporarilyUnavailable: never an active answer from
 * anything but the read model or the store.
 */
export class TokenIntrospector {
  private readonly log = new Logger('Introspection');
  /** Opaque tokens whose MAC was checked, with their route: a repeat skips both HMACs. */
  private readonly checkedOpaque: CheckedTokens<Route>;

  constructor(
    private readonly cache: ReadModelCache,
    private readonly tokens: Pick<TokenRpcClient, 'introspect'>,
    private readonly verifier: Pick<AccessTokenVerifier, 'check'>,
    private readonly config: Pick<
      IntrospectionConfig,
      'keys' | 'readThroughTimeoutMs' | 'checkedTokens'
    >,
    private readonly clock: () => number = Date.now,
  ) {
    this.checkedOpaque = new CheckedTokens(config.checkedTokens);
  }

  async record(token: string): Promise<IntrospectionRecord> {
    const route = await this.route(token);
    if (route.via === 'none') return UNKNOWN;
    if (route.via === 'read_model') {
      const cached = await this.cached(introspectionKey(route.ref));
      if (cached !== undefined) return cached;
    }
    return this.readThrough(token);
  }

  private async route(token: string): Promise<Route> {
    const checked = this.checkedOpaque.get(token);
    if (checked !== undefined) return checked;
    const opaque = verifyOpaqueToken(token, this.config.keys.macKey);
    if (opaque !== null) {
      // Authorization and device codes are not tokens: inactive without a read.
      if (opaque.kind === 'ac' || opaque.kind === 'dc') return { via: 'none' };
      const tokenHash = keyedHash(this.config.keys.tokenHashKey, token);
      const kind = opaque.kind === 'at' ? 'opaque_access_token' : 'refresh_token';
      const route: Route = { via: 'read_model', ref: { kind, tokenHash } };
      this.checkedOpaque.remember(token, route);
      return route;
    }
    switch (segments(token)) {
      case 3: {
        const jwt = await this.verifier.check(token);
        if (jwt.outcome === 'valid') {
          return { via: 'read_model', ref: { kind: 'jwt_access_token', jti: jwt.jti } };
        }
        return jwt.outcome === 'unknown_key' ? { via: 'token_service' } : { via: 'none' };
      }
      case 5:
        return { via: 'token_service' };
      default:
        return { via: 'none' };
    }
  }

  /** undefined = ask token-service (absent, undecodable, or Redis did not answer). */
  private async cached(key: string): Promise<IntrospectionRecord | undefined> {
    try {
      return decodeRecord(await this.cache.get(key));
    } catch {
      return undefined;
    }
  }

  private async readThrough(token: string): Promise<IntrospectionRecord> {
    let answer: Awaited<ReturnType<TokenRpcClient['introspect']>>;
    try {
      answer = await this.tokens.introspect(
        { token },
        { timeoutMs: this.config.readThroughTimeoutMs },
      );
    } catch (err) {
      countReadThrough('failed');
      this.log.warn(`read-through failed: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('introspection is temporarily unavailable', {
        cause: err,
      });
    }
    countReadThrough('answered');
    const record = decodeRecord(JSON.stringify(answer.record));
    if (record === undefined) {
      this.log.error('read-through answered a record that does not decode');
      throw new TemporarilyUnavailable('introspection is temporarily unavailable');
    }
    if (answer.key !== null) await this.remember(answer.key, record);
    return record;
  }

  /**
   * Caches the store's answer, never over an existing entry (SET NX): a
   * tombstone written meanwhile by a revocation wins. Active records live as
   * long as the token; inactive answers only briefly. Best effort: the
   * answer stands even when Redis does not take it.
   */
  private async remember(key: string, record: IntrospectionRecord): Promise<void> {
    const now = this.clock();
    if (!record.active && record.reason === 'expired') return;
    const expiresAt = record.active ? record.exp : Math.ceil((now + UNKNOWN_TTL_MS) / 1000);
    try {
      await applyIntrospectionWrites(this.cache, [{ key, record, expiresAt, ifAbsent: true }], now);
    } catch {
      // The next request reads through again.
    }
  }
}

/** How many dot-separated parts (3 = JWS, 5 = JWE), counted without splitting a huge string. */
function segments(token: string): number {
  let count = 1;
  for (let i = token.indexOf('.'); i >= 0 && count <= 5; i = token.indexOf('.', i + 1)) count++;
  return count;
}
