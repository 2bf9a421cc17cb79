import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CONFIG, type Config } from '@idp/config';
import { accessTokenFormat } from '@idp/contracts';
import { ClientRegistry } from '../clients/client-registry.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
import { UserDirectory } from '../users/user-directory.service';

/**
 * The seed file's shape: resource servers (RFC 8707 URI + public encryption
 * JWKS), RFC 7591 client metadata (+ client_secret) and users.
 */
const seedSchema = z.object({
  resources: z
    .array(
      z.object({
        resource: z.string().min(1),
        jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
        access_token_format: accessTokenFormat.optional(),
      }),
    )
    .default([]),
  clients: z
    .array(
      z.looseObject({ client_id: z.string().min(1), client_secret: z.string().min(16).optional() }),
    )
    .default([]),
  users: z
    .array(
      z.object({
        sub: z.string().min(1),
        username: z.string().min(1),
        password: z.string().min(1).optional(),
        passwordHash: z.string().optional(),
        claims: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .default([]),
});

/**
 * Applies SEED_FILE at start-up, idempotently: existing resources and
 * clients are updated only if their definition changed (a resource's keys
 * may rotate this way), existing users are left alone. Every
 * change is an ordinary event, exactly as if an admin had made it.
 */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly log = new Logger('Seed');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly clients: ClientRegistry,
    private readonly users: UserDirectory,
    private readonly resources: ResourceRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SEED_FILE) return;
    const seed = seedSchema.parse(JSON.parse(readFileSync(this.config.SEED_FILE, 'utf8')));
    // Resources first: a jwe client's first token needs its resource's key.
    for (const { resource, jwks, access_token_format: format } of seed.resources) {
      await this.resources.define(
        { resource, jwks, ...(format ? { accessTokenFormat: format } : {}) },
        'seed',
      );
    }
    for (const { client_secret: secret, ...metadata } of seed.clients) {
      const existing = await this.clients.find(metadata.client_id);
      if (!existing) await this.clients.register(metadata as never, 'seed', secret);
      else if (
        JSON.stringify(existing.metadata) !== JSON.stringify({ ...existing.metadata, ...metadata })
      ) {
        await this.clients.update(metadata as never, 'seed', secret);
      }
    }
    for (const user of seed.users) {
      if (!(await this.users.findBySub(user.sub))) await this.users.create(user);
    }
    this.log.log(
      `seed applied: ${seed.resources.length} resources, ${seed.clients.length} clients, ` +
        `${seed.users.length} users`,
    );
  }
}
