import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request id and traceparent of the logout that scheduled a delivery
 * (issue #14): its attempts, however late, log under that id and send that
 * trace to the RP. Nullable: rows scheduled before have none.
 */
export class BackchannelRequestContext1796700000000 implements MigrationInterface {
  readonly name = 'BackchannelRequestContext1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE backchannel_deliveries ADD COLUMN request_id TEXT');
    await queryRunner.query('ALTER TABLE backchannel_deliveries ADD COLUMN traceparent TEXT');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE backchannel_deliveries DROP COLUMN traceparent');
    await queryRunner.query('ALTER TABLE backchannel_deliveries DROP COLUMN request_id');
  }
}
