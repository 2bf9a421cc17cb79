import { Inject, Injectable } from '@nestjs/common';
import type { DomainEvent } from '@idp/contracts';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { introspectionWritesFor, type GrantEventBody } from '@idp/domain';
import { applyIntrospectionWrites, type Projection } from '@idp/eventsourcing';

/**
 * The introspection read model from grant events (ADR 0008): one entry per
 * token, active records with SET NX, tombstones with SET. Idempotent by
 * construction: a redelivered issue event finds its entry (or a tombstone)
 * and stores nothing; a redelivered tombstone writes the same value again.
 * A failed write rejects, so the bus retries the event.
 */
@Injectable()
export class GrantIntrospectionProjection implements Projection {
  readonly name = 'introspection';
  readonly handles = [
    'grant.access_token_issued',
    'grant.refresh_token_issued',
    'grant.access_token_revoked',
    'grant.revoked',
  ] as const;
  /** SET NX for records, SET for tombstones: any order ends in the same state (ADR 0008). */
  readonly orderIndependent = true;

  constructor(@Inject(READ_MODEL_CACHE) private readonly cache: ReadModelCache) {}

  async apply(event: DomainEvent): Promise<void> {
    await applyIntrospectionWrites(this.cache, introspectionWritesFor(event as GrantEventBody));
  }
}
