import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BackchannelRequestContext1796700000000 } from './request-context-migration';

/*
 * Explicit, versioned DDL for the delivery table (never `synchronize`), one
 * list per driver as in packages/eventstore/src/sql/migrations.ts. Times are
 * epoch milliseconds in a bigint, so both drivers compare them the same way.
 */

const postgres = [
  `CREATE TABLE backchannel_deliveries (
    sid text NOT NULL,
    client_id text NOT NULL,
    sub text NOT NULL,
    jti text NOT NULL,
    uri text NOT NULL,
    alg text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead_lettered')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    last_error text,
    lease_owner text,
    lease_until bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT backchannel_deliveries_pk PRIMARY KEY (sid, client_id)
  )`,
  `CREATE INDEX backchannel_deliveries_due_idx ON backchannel_deliveries (next_attempt_at)
    WHERE status = 'pending'`,
  `CREATE INDEX backchannel_deliveries_dead_idx ON backchannel_deliveries
    (sid COLLATE "C", client_id COLLATE "C") WHERE status = 'dead_lettered'`,
];

const sqlite = [
  `CREATE TABLE backchannel_deliveries (
    sid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    jti TEXT NOT NULL,
    uri TEXT NOT NULL,
    alg TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead_lettered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT backchannel_deliveries_pk PRIMARY KEY (sid, client_id)
  )`,
  `CREATE INDEX backchannel_deliveries_due_idx ON backchannel_deliveries (next_attempt_at)
    WHERE status = 'pending'`,
  `CREATE INDEX backchannel_deliveries_dead_idx ON backchannel_deliveries (sid, client_id)
    WHERE status = 'dead_lettered'`,
];

export class BackchannelDeliveries1796000000000 implements MigrationInterface {
  readonly name = 'BackchannelDeliveries1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements =
      queryRunner.connection.driver.options.type === 'postgres' ? postgres : sqlite;
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE backchannel_deliveries');
  }
}

/**
 * Delivered rows are pruned after BACKCHANNEL_DELIVERED_RETENTION_DAYS (the
 * event log keeps the history): this partial index finds the old ones
 * without reading the pending and dead-lettered rows. Same DDL on both drivers.
 */
export class BackchannelDeliveredIndex1796100000000 implements MigrationInterface {
  readonly name = 'BackchannelDeliveredIndex1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX backchannel_deliveries_delivered_idx ON backchannel_deliveries (updated_at)
        WHERE status = 'delivered'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX backchannel_deliveries_delivered_idx');
  }
}

/** In order; append new migrations, never edit a released one. */
export const deliveryMigrations = [
  BackchannelDeliveries1796000000000,
  BackchannelDeliveredIndex1796100000000,
  BackchannelRequestContext1796700000000,
];
