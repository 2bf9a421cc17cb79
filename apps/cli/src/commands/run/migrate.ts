import { join, resolve } from 'node:path';
import { createDeliveryStore } from '@idp/session-service';
import type { RunContext } from '../../support/command';
import { println } from '../../support/io';
import { cliConfig, describeStore, openEventStore } from '../../support/store';

export async function runMigrate({ values, io }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  const config = cliConfig(io.env, embedded);
  // Two connections: one holds the migration lock while the other migrates.
  const store = await openEventStore(config, embedded, 'apply', 2);
  await store.close();
  println(io.stdout, `event store: schema up to date (${describeStore(config, embedded)})`);
  const deliveries = await createDeliveryStore(
    embedded
      ? { driver: 'sqlite', file: join(resolve(config.DATA_DIR), 'backchannel.sqlite') }
      : {
          driver: 'postgres',
          url: config.DATABASE_URL,
          schema: config.DATABASE_SCHEMA,
          poolSize: 2,
        },
  );
  await deliveries.close();
  println(io.stdout, 'delivery store: schema up to date');
}
