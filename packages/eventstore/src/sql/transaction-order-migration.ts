import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ADR 0024: each PostgreSQL event row records the id of the transaction that
 * wrote it, and the global order becomes (tx, position), so appends need no
 * global lock. The column is added with a constant default first (metadata
 * only: no table rewrite however large the log); the rows already there were
 * all written under the old append lock in commit order and keep that order
 * with tx = 0, before every later row. Only then does the default become the
 * writing transaction's id. The identity is capped at 10^15 - 1 so that the
 * public position, tx * 10^15 + position, stays ordered like (tx, position).
 *
 * The index is built under a write lock inside the migration transaction; on
 * a large log, create it CONCURRENTLY by hand first (IF NOT EXISTS then skips
 * it here). SQLite keeps its one writer and plain positions: nothing changes.
 */
export class EventTransactionOrder1796774400000 implements MigrationInterface {
  readonly name = 'EventTransactionOrder1796774400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query(`ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT '0'`);
    await queryRunner.query('ALTER TABLE events ALTER COLUMN tx SET DEFAULT pg_current_xact_id()');
    await queryRunner.query(
      'ALTER TABLE events ALTER COLUMN position SET MAXVALUE 999999999999999',
    );
    await queryRunner.query(
      'CREATE INDEX IF NOT EXISTS events_tx_position_idx ON events (tx, position)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query('DROP INDEX IF EXISTS events_tx_position_idx');
    await queryRunner.query('ALTER TABLE events ALTER COLUMN position SET NO MAXVALUE');
    await queryRunner.query('ALTER TABLE events DROP COLUMN tx');
  }
}
