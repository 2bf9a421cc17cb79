import type { Driver, Row, SqlRunner } from '@idp/eventstore';
import type { QueueTable } from './queue-table';

const candidates = (t: QueueTable) =>
  `d.status = 'pending'${t.claimable === undefined ? '' : ` AND ${t.claimable}`}`;

/**
 * The claim's statement; its parameters are (owner, lease end, now, now,
 * limit). Due and not leased (or the lease ran out), most overdue first.
 */
export function leaseClaimSql(driver: Driver, t: QueueTable): string {
  const due = `${candidates(t)} AND d.next_attempt_at <= ?
    AND (d.lease_until IS NULL OR d.lease_until <= ?)`;
  if (driver === 'postgres')
    // SKIP LOCKED: replicas claiming at the same moment take disjoint rows instead of queueing.
    return `UPDATE ${t.table} t SET lease_owner = ?, lease_until = ?
      FROM (SELECT ${t.key.map((k) => `d.${k}`).join(', ')} FROM ${t.table} d WHERE ${due}
            ORDER BY d.next_attempt_at LIMIT ? FOR UPDATE OF d SKIP LOCKED) due
      WHERE ${t.key.map((k) => `t.${k} = due.${k}`).join(' AND ')}
      RETURNING ${t.columns.map((c) => `t.${c}`).join(', ')}`;
  // SQLite has one writer at a time, so no row locks: the UPDATE itself is the claim.
  return `UPDATE ${t.table} SET lease_owner = ?, lease_until = ?
    WHERE rowid IN (SELECT d.rowid FROM ${t.table} d WHERE ${due}
                    ORDER BY d.next_attempt_at LIMIT ?)
    RETURNING ${t.columns.join(', ')}`;
}

/** Leases up to `limit` due rows of `t` to `owner` until `now + leaseMs`; the rows in no set order. */
export function claimLeased(
  db: SqlRunner,
  t: QueueTable,
  limit: number,
  now: number,
  leaseMs: number,
  owner: string,
): Promise<Row[]> {
  if (limit <= 0) return Promise.resolve([]);
  return db.run((sql) =>
    sql.query(leaseClaimSql(db.driver, t), [owner, now + leaseMs, now, now, limit]),
  );
}

/**
 * When the earliest claimable row falls due: its next attempt, or its
 * lease's end if that is later (a leased row is not claimable before).
 */
export async function nextDueAt(db: SqlRunner, t: QueueTable): Promise<number | undefined> {
  const [row] = await db.read((sql) =>
    sql.query(
      `SELECT MIN(CASE WHEN d.lease_until IS NOT NULL AND d.lease_until > d.next_attempt_at
                       THEN d.lease_until ELSE d.next_attempt_at END) AS due
       FROM ${t.table} d WHERE ${candidates(t)}`,
    ),
  );
  const due = row?.['due'];
  if (due == null) return undefined;
  // pg returns bigint as a string; epoch milliseconds fit a JS number exactly.
  const ms = Number(due);
  if (!Number.isSafeInteger(ms)) throw new TypeError('next due time: expected an integer');
  return ms;
}
