import { Inject, Injectable } from '@nestjs/common';
import type { DomainEvent, KeyEvent } from '@idp/contracts';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import type { Projection } from '@idp/eventsourcing';
import { emptyJwks, evolveJwks, type JwksReadModel } from './jwks.read-model';

export const JWKS_KEY = 'read-model:jwks';

/**
 * Keeps the public signing keys in the read-model cache, so introspection
 * replicas verify JWT access tokens locally without asking token-service.
 * The key ring is one stream on one partition, so events arrive in order and
 * one writer (the consumer group) updates the document.
 */
@Injectable()
export class JwksProjection implements Projection {
  readonly name = 'jwks';
  readonly handles = ['key.generated', 'key.activated', 'key.retired'] as const;

  constructor(@Inject(READ_MODEL_CACHE) private readonly cache: ReadModelCache) {}

  async read(): Promise<JwksReadModel> {
    const raw = await this.cache.get(JWKS_KEY);
    return raw ? (JSON.parse(raw) as JwksReadModel) : emptyJwks();
  }

  async apply(event: DomainEvent): Promise<void> {
    const current = await this.read();
    const next = evolveJwks(current, event as KeyEvent);
    if (next !== current) await this.cache.set(JWKS_KEY, JSON.stringify(next));
  }
}
