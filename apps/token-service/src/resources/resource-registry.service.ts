import { Inject, Injectable } from '@nestjs/common';
import { importJWK, type JWK } from 'jose';
import {
  resourceDecider,
  resourceStream,
  type RegisteredResource,
  type ResourceDefinition,
  type ResourceSource,
} from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';

/**
 * Resource servers as event streams (`resource-<sha256(uri)>`), like
 * clients: reads fold the stream, so a rotated key is used by the next token
 * on every replica. Only public keys ever enter the log (ADR 0007).
 */
@Injectable()
export class ResourceRegistry {
  constructor(@Inject(COMMAND_RUNNER) private readonly runner: CommandRunner) {}

  async find(resource: string): Promise<RegisteredResource | undefined> {
    const { state } = await this.runner.load(resourceDecider, resourceStream(resource));
    return state.status === 'registered' ? state : undefined;
  }

  /** Registers or updates; an unchanged definition appends nothing (idempotent seeding). */
  async define(def: ResourceDefinition, source: ResourceSource): Promise<RegisteredResource> {
    // The decider checks the JWK members; importing proves the key is a usable
    // point or modulus, which only a crypto library can tell.
    for (const key of def.jwks.keys) await importJWK(key as unknown as JWK, String(key['alg']));
    const result = await this.runner.run(resourceDecider, resourceStream(def.resource), {
      ...def,
      type: 'DefineResource',
      source,
      meta: this.runner.requestMeta(),
    });
    if (result.state.status !== 'registered') throw new Error('resource was not registered');
    return result.state;
  }
}
