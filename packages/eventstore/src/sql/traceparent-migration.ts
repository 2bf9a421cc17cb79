import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C traceparent of the request that caused an event (issue #14), so
 * the relay can hand it on in the Kafka headers and a consumer can continue
 * the trace. Nullable: events appended before it, and events no request
 * caused, have none. Adding a nullable column is metadata only on both
 * drivers (no table rewrite, no lock held for long).
 */
export class EventTraceparent1796601600000 implements MigrationInterface {
  readonly name = 'EventTraceparent1796601600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ADD COLUMN traceparent TEXT');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events DROP COLUMN traceparent');
  }
}
