import type { MigrationInterface, QueryRunner } from 'typeorm';
import { EventActor1796688000000 } from './actor-migration';
import { EventTraceparent1796601600000 } from './traceparent-migration';
import { EventTransactionOrder1796774400000 } from './transaction-order-migration';

/*
 * Explicit, versioned DDL: production never uses `synchronize`. Each driver
 * gets its own statements because the column types differ; table and
 * constraint names are the same, since the store's SQL and its error mapping
 * rely on them. `occurred_at` is text on both: the envelope's ISO string
 * round-trips byte for byte, whatever offset the producer wrote.
 */

const postgres = [
  `CREATE TABLE events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL CONSTRAINT events_id_uq UNIQUE,
    stream text NOT NULL,
    stream_version integer NOT NULL CHECK (stream_version > 0),
    type text NOT NULL,
    version integer NOT NULL,
    occurred_at text NOT NULL,
    correlation_id text NOT NULL,
    causation_id text,
    data jsonb NOT NULL,
    CONSTRAINT events_stream_version_uq UNIQUE (stream, stream_version)
  )`,
  `CREATE TABLE outbox (
    position bigint PRIMARY KEY REFERENCES events (position),
    topic text NOT NULL,
    key text NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    last_error text
  )`,
  `CREATE INDEX outbox_unsent_idx ON outbox (position) WHERE sent_at IS NULL`,
  `CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`,
  // The log is append-only: refuse edits at the database, not only in code.
  `CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$`,
  `CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only()`,
];

const sqlite = [
  // AUTOINCREMENT: a position is never reused, even after the highest row is gone.
  `CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL CONSTRAINT events_id_uq UNIQUE,
    stream TEXT NOT NULL,
    stream_version INTEGER NOT NULL CHECK (stream_version > 0),
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    causation_id TEXT,
    data TEXT NOT NULL CHECK (json_valid(data)),
    CONSTRAINT events_stream_version_uq UNIQUE (stream, stream_version)
  )`,
  `CREATE TABLE outbox (
    position INTEGER PRIMARY KEY REFERENCES events (position),
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  )`,
  `CREATE INDEX outbox_unsent_idx ON outbox (position) WHERE sent_at IS NULL`,
  `CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`,
  `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`,
  `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`,
];

export class EventStoreInit1767225600000 implements MigrationInterface {
  readonly name = 'EventStoreInit1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements =
      queryRunner.connection.driver.options.type === 'postgres' ? postgres : sqlite;
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE outbox');
    await queryRunner.query('DROP TABLE events');
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query('DROP FUNCTION events_append_only()');
    }
  }
}

/*
 * The indexes behind EventStore.streamsWhere: one per whitelisted data field,
 * on the expression the query uses (Dialect.dataField), then the stream in
 * code-point order, so the lookup for one value returns its streams already
 * sorted for keyset paging. Partial: most events carry none of these fields.
 * PostgreSQL builds them under a write lock inside the migration transaction;
 * on a large existing log, create them CONCURRENTLY by hand first (IF NOT
 * EXISTS then skips them here).
 */
const DATA_FIELDS = ['sub', 'clientId', 'sid'] as const;

const dataIndex = (driver: 'postgres' | 'sqlite', field: (typeof DATA_FIELDS)[number]) => {
  const name = `events_data_${field.toLowerCase()}_idx`;
  return driver === 'postgres'
    ? `CREATE INDEX IF NOT EXISTS ${name} ON events ((data->>'${field}'), stream COLLATE "C")
        WHERE (data->>'${field}') IS NOT NULL`
    : `CREATE INDEX IF NOT EXISTS ${name} ON events (json_extract(data, '$.${field}'), stream)
        WHERE json_extract(data, '$.${field}') IS NOT NULL`;
};

export class EventDataIndexes1795392000000 implements MigrationInterface {
  readonly name = 'EventDataIndexes1795392000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const driver =
      queryRunner.connection.driver.options.type === 'postgres' ? 'postgres' : 'sqlite';
    for (const field of DATA_FIELDS) await queryRunner.query(dataIndex(driver, field));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const field of DATA_FIELDS)
      await queryRunner.query(`DROP INDEX IF EXISTS events_data_${field.toLowerCase()}_idx`);
  }
}

/** In order; append new migrations, never edit a released one. */
export const migrations = [
  EventStoreInit1767225600000,
  EventDataIndexes1795392000000,
  EventTraceparent1796601600000,
  EventActor1796688000000,
  EventTransactionOrder1796774400000,
];
