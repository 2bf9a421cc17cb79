import type { SqlRunner } from '@idp/eventstore';
import type { QueueTable } from './queue-table';

/**
 * Deletes up to `limit` delivered rows of `t` last updated before `before`
 * and returns how many. Bounded, so one housekeeping pass never holds the
 * table for long; pending and dead-lettered rows are never pruned.
 */
export function pruneDelivered(
  db: SqlRunner,
  t: QueueTable,
  before: number,
  limit: number,
): Promise<number> {
  if (limit <= 0) return Promise.resolve(0);
  const old = `status = 'delivered' AND updated_at < ?`;
  return db.run((sql) =>
    db.driver === 'postgres'
      ? // PostgreSQL's DELETE takes no LIMIT: the rows are picked first, then joined back on the key.
        sql.exec(
          `DELETE FROM ${t.table} d
           USING (SELECT ${t.key.join(', ')} FROM ${t.table} WHERE ${old} LIMIT ?) old
           WHERE ${t.key.map((k) => `d.${k} = old.${k}`).join(' AND ')}`,
          [before, limit],
        )
      : sql.exec(
          `DELETE FROM ${t.table}
           WHERE rowid IN (SELECT rowid FROM ${t.table} WHERE ${old} LIMIT ?)`,
          [before, limit],
        ),
  );
}
