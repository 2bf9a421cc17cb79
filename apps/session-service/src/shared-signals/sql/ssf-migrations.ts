import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The transmitter's tables (ADR 0035), explicit DDL per driver as the
 * back-channel queue's. Times are epoch milliseconds in a bigint. JSON
 * columns are text on both drivers: only session-service reads them.
 */
const tables = (t: { text: string; int: string; big: string; c: string }) => [
  `CREATE TABLE ssf_streams (
    stream_id ${t.text} NOT NULL PRIMARY KEY,
    client_id ${t.text} NOT NULL,
    status ${t.text} NOT NULL CHECK (status IN ('enabled', 'paused', 'disabled', 'deleted')),
    method ${t.text} NOT NULL CHECK (method IN ('push', 'poll')),
    endpoint_url ${t.text},
    sealed_authorization ${t.text},
    events_delivered ${t.text} NOT NULL,
    excluded ${t.text} NOT NULL,
    version ${t.int} NOT NULL
  )`,
  `CREATE INDEX ssf_streams_client_idx ON ssf_streams (client_id)`,
  `CREATE TABLE ssf_deliveries (
    stream_id ${t.text} NOT NULL,
    jti ${t.text} NOT NULL,
    client_id ${t.text} NOT NULL,
    event_type ${t.text} NOT NULL,
    source_key ${t.text} NOT NULL,
    method ${t.text} NOT NULL CHECK (method IN ('push', 'poll')),
    claims ${t.text} NOT NULL,
    status ${t.text} NOT NULL CHECK (status IN ('pending', 'delivered', 'dead_lettered')),
    attempts ${t.int} NOT NULL DEFAULT 0,
    next_attempt_at ${t.big} NOT NULL,
    last_error ${t.text},
    lease_owner ${t.text},
    lease_until ${t.big},
    created_at ${t.big} NOT NULL,
    updated_at ${t.big} NOT NULL,
    CONSTRAINT ssf_deliveries_pk PRIMARY KEY (stream_id, jti),
    CONSTRAINT ssf_deliveries_source_uq UNIQUE (stream_id, source_key)
  )`,
  `CREATE INDEX ssf_deliveries_due_idx ON ssf_deliveries (next_attempt_at)
    WHERE status = 'pending' AND method = 'push'`,
  `CREATE INDEX ssf_deliveries_polled_idx ON ssf_deliveries (stream_id, created_at)
    WHERE status = 'pending' AND method = 'poll'`,
  `CREATE INDEX ssf_deliveries_dead_idx ON ssf_deliveries (stream_id${t.c}, jti${t.c})
    WHERE status = 'dead_lettered'`,
  `CREATE INDEX ssf_deliveries_delivered_idx ON ssf_deliveries (updated_at)
    WHERE status = 'delivered'`,
];

export class SsfTables1797000000000 implements MigrationInterface {
  readonly name = 'SsfTables1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements =
      queryRunner.connection.driver.options.type === 'postgres'
        ? tables({ text: 'text', int: 'integer', big: 'bigint', c: ' COLLATE "C"' })
        : tables({ text: 'TEXT', int: 'INTEGER', big: 'INTEGER', c: '' });
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ssf_deliveries');
    await queryRunner.query('DROP TABLE ssf_streams');
  }
}

/**
 * When each stream's last verification was asked for (SSF 1.0 8.1.4.2
 * min_verification_interval): a column of the working copy, claimed by a
 * conditional UPDATE so two replicas cannot both let a verification through.
 * Not folded from events: losing it (a rebuilt copy) only lets one
 * verification through early.
 */
export class SsfVerificationClock1797000000001 implements MigrationInterface {
  readonly name = 'SsfVerificationClock1797000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const big = queryRunner.connection.driver.options.type === 'postgres' ? 'bigint' : 'INTEGER';
    await queryRunner.query(`ALTER TABLE ssf_streams ADD COLUMN last_verification_at ${big}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ssf_streams DROP COLUMN last_verification_at');
  }
}

/**
 * The subject identifier format a stream asked for (`format` in its
 * configuration); NULL, as in every stream before it: each event type's own
 * shape. A nullable column is added in place by both drivers.
 */
export class SsfSubjectFormat1797100000000 implements MigrationInterface {
  readonly name = 'SsfSubjectFormat1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE ssf_streams ADD COLUMN subject_format ${
        queryRunner.connection.driver.options.type === 'postgres' ? 'text' : 'TEXT'
      } CHECK (subject_format IN ('complex', 'iss_sub', 'opaque'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE ssf_streams DROP COLUMN subject_format');
  }
}

/** In order; append new migrations, never edit a released one. */
export const ssfMigrations = [
  SsfTables1797000000000,
  SsfVerificationClock1797000000001,
  SsfSubjectFormat1797100000000,
];
