import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who made the admin call that caused an event (ADR 0017), as the JSON of
 * the envelope's `actor`. Nullable: only admin calls set it, and events
 * appended before it have none. Adding a nullable column is metadata only
 * on both drivers (no table rewrite).
 */
export class EventActor1796688000000 implements MigrationInterface {
  readonly name = 'EventActor1796688000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ADD COLUMN actor TEXT');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events DROP COLUMN actor');
  }
}
