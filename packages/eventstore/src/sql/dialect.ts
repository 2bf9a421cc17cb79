import { QueryFailedError } from 'typeorm';
import type { IndexedDataField } from '../event-store.port';
import { insertionOrder, transactionOrder, type GlobalOrder } from './global-order';
import { advisoryLockKey, sqlDriver, type SqlDriver } from './sql-runner';

/** Which unique index an insert violated. */
export type UniqueViolation = 'stream_version' | 'id' | 'other';

/** Everything that differs between the two drivers; the SQL itself is shared. */
export interface Dialect extends SqlDriver {
  /** jsonb comes back parsed from pg; SQLite stores JSON as text. */
  decodeJson(value: unknown): unknown;
  uniqueViolation(err: unknown): UniqueViolation | undefined;
  /** True when the database broke a lock cycle by aborting this transaction. */
  deadlock(err: unknown): boolean;
  /** How events are ordered globally and what a public position means (ADR 0024). */
  readonly order: GlobalOrder;
  /**
   * The SQL expression for `data[field]` as text, exactly as its index was
   * created (the planner only uses an expression index for the same expression).
   * Only whitelisted names reach here; they are never taken from input.
   */
  dataField(field: IndexedDataField): string;
  /** How `stream` is compared and ordered in code-point order (PostgreSQL collations differ). */
  readonly streamOrder: string;
  /** SQL returning `{ held }`: tries the relay lease for the current transaction. */
  readonly relayLeaseSql?: string;
  /** Parameters for the lock statements above. */
  readonly lockParams: { relay: string; migrate: string };
}

function driverError(
  err: unknown,
): { code?: unknown; constraint?: unknown; message?: unknown } | undefined {
  return err instanceof QueryFailedError ? (err.driverError as { code?: unknown }) : undefined;
}

const lockKey = (purpose: string, schema: string) =>
  advisoryLockKey('idp-eventstore', purpose, schema);

export function postgresDialect(schema: string): Dialect {
  return {
    ...sqlDriver('postgres'),
    decodeJson: (value) => value,
    dataField: (field) => `(data->>'${field}')`,
    streamOrder: 'stream COLLATE "C"',
    uniqueViolation(err) {
      const e = driverError(err);
      if (e?.code !== '23505') return undefined;
      if (e.constraint === 'events_stream_version_uq') return 'stream_version';
      if (e.constraint === 'events_id_uq') return 'id';
      return 'other';
    },
    deadlock: (err) => driverError(err)?.code === '40P01',
    // Appends take no lock: readAll orders by the writing transaction (ADR 0024).
    order: transactionOrder,
    relayLeaseSql: 'SELECT pg_try_advisory_xact_lock(CAST(? AS bigint)) AS held',
    lockParams: {
      relay: lockKey('relay', schema),
      migrate: lockKey('migrate', schema),
    },
  };
}

export function sqliteDialect(): Dialect {
  return {
    ...sqlDriver('sqlite'),
    decodeJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
    dataField: (field) => `json_extract(data, '$.${field}')`,
    // BINARY, the default, compares UTF-8 bytes: code-point order.
    streamOrder: 'stream',
    uniqueViolation(err) {
      const e = driverError(err);
      if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY')
        return undefined;
      const message = String(e.message);
      if (message.includes('events.stream, events.stream_version')) return 'stream_version';
      if (message.includes('events.id')) return 'id';
      return 'other';
    },
    // One connection, one transaction at a time: no lock cycle can form.
    deadlock: () => false,
    // One process, one connection, one writer: insertion order is commit order.
    order: insertionOrder,
    lockParams: { relay: '', migrate: '' },
  };
}
