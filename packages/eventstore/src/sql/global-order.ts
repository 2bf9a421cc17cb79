/**
 * How each driver puts events in one global order, and how a public position
 * (`StoredEvent.position`) names a place in it (ADR 0024).
 *
 * PostgreSQL: the order is (tx, position), tx being the id of the writing
 * transaction, and readAll only returns rows of transactions older than the
 * snapshot's xmin: every transaction below it has ended, so nothing can still
 * commit between two rows already returned. The public position packs the
 * pair into one decimal, tx * 10^15 + position (the identity is capped below
 * 10^15), which orders like the pair; rows written before ADR 0024 have tx = 0
 * and keep their old numbers, so old checkpoints stay valid.
 *
 * SQLite: one connection writes, one transaction at a time, so the identity
 * is already in commit order; the public position is the identity itself.
 */
export interface GlobalOrder {
  /** The writing transaction's id as text, for a SELECT or RETURNING over `alias`. */
  txColumn(alias: string): string;
  /** The public position of a row, from its tx and position columns (as text). */
  position(tx: string, seq: string): string;
  /**
   * The clause after `FROM events e` for readAll: the events after `from`
   * (a valid public position) that may be returned now, in order, at most `limit`.
   */
  pageAfter(from: string, limit: number): { readonly clause: string; readonly params: unknown[] };
  /** SQL returning the `tx` and `position` (text) of the newest event readAll can return now. */
  readonly newestReadableSql: string;
  /**
   * SQL returning the `tx` and `position` (text) of the newest committed event,
   * readable or not; absent where the two are always the same.
   */
  readonly newestCommittedSql?: string;
}

/** The identity stays below this (the migration caps it), so it fits in the low digits. */
const SEQ_SPAN = 10n ** 15n;
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

/** All transactions below this id have ended, as of the statement's snapshot. */
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())';

export function encodePosition(tx: string, seq: string): string {
  return (BigInt(tx) * SEQ_SPAN + BigInt(seq)).toString();
}

/** The (tx, position) pair a PostgreSQL public position stands for. */
export function decodePosition(position: string): { tx: string; seq: string } {
  const value = BigInt(position);
  const tx = value / SEQ_SPAN;
  if (tx > MAX_XID8) throw new RangeError(`position ${position} is out of range`);
  return { tx: tx.toString(), seq: (value % SEQ_SPAN).toString() };
}

export const transactionOrder: GlobalOrder = {
  txColumn: (alias) => `CAST(${alias}.tx AS TEXT)`,
  position: encodePosition,
  pageAfter(from, limit) {
    const { tx, seq } = decodePosition(from);
    return {
      clause: `WHERE (e.tx, e.position) > (CAST(? AS xid8), CAST(? AS bigint)) AND e.tx < ${HORIZON}
               ORDER BY e.tx, e.position LIMIT ?`,
      params: [tx, seq, limit],
    };
  },
  newestReadableSql: `SELECT CAST(tx AS TEXT) AS tx, CAST(position AS TEXT) AS position FROM events
    WHERE tx < ${HORIZON} ORDER BY tx DESC, position DESC LIMIT 1`,
  newestCommittedSql: `SELECT CAST(tx AS TEXT) AS tx, CAST(position AS TEXT) AS position FROM events
    ORDER BY tx DESC, position DESC LIMIT 1`,
};

export const insertionOrder: GlobalOrder = {
  txColumn: () => `'0'`,
  position: (_tx, seq) => seq,
  pageAfter(from, limit) {
    if (BigInt(from) > MAX_BIGINT) throw new RangeError(`position ${from} is out of range`);
    return { clause: 'WHERE e.position > ? ORDER BY e.position LIMIT ?', params: [from, limit] };
  },
  newestReadableSql: `SELECT '0' AS tx, CAST(position AS TEXT) AS position FROM events
    ORDER BY position DESC LIMIT 1`,
};
