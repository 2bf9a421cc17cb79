import type { SqlRunner } from '@idp/eventstore';
import type { Transition } from '../attempt';
import type { QueueTable } from './queue-table';

/** A row's key values, in the order of {@link QueueTable.key}. */
export type KeyValues = readonly unknown[];

const keyIs = (t: QueueTable) => t.key.map((k) => `${k} = ?`).join(' AND ');
const tuples = (t: QueueTable, n: number) =>
  Array.from({ length: n }, () => `(${t.key.map(() => '?').join(', ')})`).join(', ');

/**
 * Applies attempt transitions, each only while `owner` still holds the
 * row's lease: a replica whose lease ran out (and whose row another replica
 * claimed since) records nothing. Returns how many applied. One transaction,
 * so a batch is recorded whole or not at all.
 */
export function recordTransitions(
  db: SqlRunner,
  t: QueueTable,
  outcomes: readonly { readonly key: KeyValues; readonly transition: Transition }[],
  now: number,
  owner: string,
): Promise<number> {
  if (outcomes.length === 0) return Promise.resolve(0);
  return db.transaction(async (sql) => {
    let applied = 0;
    for (const { key, transition: tr } of outcomes) {
      const [status, next, error] =
        tr.kind === 'delivered'
          ? ['delivered', now, null]
          : tr.kind === 'retry'
            ? ['pending', tr.nextAttemptAt, tr.error]
            : ['dead_lettered', now, tr.error];
      applied += await sql.exec(
        `UPDATE ${t.table}
         SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
             lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE ${keyIs(t)} AND status = 'pending' AND lease_owner = ?`,
        [status, tr.attempt, next, error, now, ...key, owner],
      );
    }
    return applied;
  });
}

/** Gives rows `owner` still holds back without counting an attempt: due again at `dueAt`. */
export async function releaseLeases(
  db: SqlRunner,
  t: QueueTable,
  keys: readonly KeyValues[],
  dueAt: number,
  owner: string,
): Promise<void> {
  if (keys.length === 0) return;
  await db.run((sql) =>
    sql.exec(
      `UPDATE ${t.table} SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE status = 'pending' AND lease_owner = ? AND (${t.key.join(', ')}) IN (${tuples(t, keys.length)})`,
      [dueAt, owner, ...keys.flat()],
    ),
  );
}
