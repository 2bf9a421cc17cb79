import { Inject, Injectable } from '@nestjs/common';
import { STREAM_PREFIX, type GrantRevocationReason } from '@idp/contracts';
import { grantDecider, type Grant } from '@idp/domain';
import { EVENT_STORE, STREAMS_WHERE_MAX, type EventStore } from '@idp/eventstore';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { IntrospectionTombstones } from '../read-model/introspection-tombstones';
import { forEachBounded } from './bounded';
import { grantTombstones } from './revoked-grant-tombstones';

/** Whose grants: an end-user, a client, or one SSO session. */
export type GrantOwner =
  { readonly sub: string } | { readonly clientId: string } | { readonly sid: string };

/** The reasons a revocation of many grants at once records (not a client's own request). */
export type BulkRevocationReason = Extract<
  GrantRevocationReason,
  'admin' | 'user_deleted' | 'client_deleted' | 'session_ended'
>;

export interface RevocationOptions {
  /** Grants this returns true for are left alone (logout's LOGOUT_OFFLINE_GRANTS=keep). */
  readonly spare?: (grant: Grant) => boolean;
  /**
   * The event these revocations follow from (a reuse detection, a session's
   * end): each grant.revoked carries its id as causation id and its
   * correlation id, so the event store holds one causal chain (ADR 0038).
   */
  readonly cause?: EventCause;
}

/** An event that causes others: its id and correlation id. */
export interface EventCause {
  readonly id: string;
  readonly correlationId: string;
}

/** Grants revoked at once: enough to hide the latency of each read-append, few enough to share the pool. */
const CONCURRENCY = 8;

function ownerField(owner: GrantOwner) {
  if ('sub' in owner) return { field: 'sub', value: owner.sub } as const;
  if ('clientId' in owner) return { field: 'clientId', value: owner.clientId } as const;
  return { field: 'sid', value: owner.sid } as const;
}

/**
 * Revokes every grant of a user, a client or a session (ADR 0009): the grant
 * streams are found through the event store's indexed `streamsWhere`, each
 * is revoked through the grant decider (a `grant.revoked` event with the
 * given reason), and its tombstones are written to the introspection read
 * model before this returns (guarantee 2, ADR 0008).
 *
 * Idempotent: grants already revoked are not revoked again, but their
 * tombstones are written again, so a retry after a 503 (Redis refused them)
 * completes the propagation. Grants whose every token has expired are left
 * alone: nothing under them can be used, so there is nothing to deny.
 */
@Injectable()
export class GrantRevocations {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly tombstones: IntrospectionTombstones,
  ) {}

  /** How many grants this call revoked (0 when all were revoked, expired, or none exist). */
  async revokeGrantsOf(
    owner: GrantOwner,
    reason: BulkRevocationReason,
    options: RevocationOptions = {},
  ): Promise<number> {
    const { field, value } = ownerField(owner);
    const correlationId = options.cause?.correlationId ?? this.runner.requestMeta().correlationId;
    let revoked = 0;
    for (let after = ''; ;) {
      const page = await this.store.streamsWhere({
        streamPrefix: STREAM_PREFIX.grant,
        field,
        value,
        after,
      });
      await forEachBounded(page, CONCURRENCY, async (stream) => {
        if (await this.revoke(stream, reason, correlationId, options)) revoked++;
      });
      if (page.length < STREAMS_WHERE_MAX) return revoked;
      after = page.at(-1)!;
    }
  }

  /** Whether this call appended the grant's revocation. */
  private async revoke(
    stream: string,
    reason: BulkRevocationReason,
    correlationId: string,
    options: RevocationOptions,
  ): Promise<boolean> {
    const now = this.runner.clock.nowSeconds();
    const { state } = await this.runner.load(grantDecider, stream);
    if (state.status === 'empty' || state.until <= now) return false;
    if (state.status !== 'revoked' && options.spare?.(state)) return false;
    if (state.status === 'revoked') {
      await this.tombstones.write([grantTombstones(state)]);
      return false;
    }
    const result = await this.runner.run(grantDecider, stream, {
      type: 'RevokeGrant',
      reason,
      meta: {
        now,
        correlationId,
        ...(options.cause === undefined ? {} : { causationId: options.cause.id }),
      },
    });
    if (result.appended.length > 0) await this.tombstones.write(result.appended);
    else if (result.state.status === 'revoked')
      await this.tombstones.write([grantTombstones(result.state)]);
    return result.appended.length > 0;
  }
}
