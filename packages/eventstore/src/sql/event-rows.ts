import type { StoredEvent } from '../event-store.port';
import type { Dialect } from './dialect';
import type { Row } from './sql-db';

/**
 * Positions (and transaction ids) are cast to text in SQL so a bigint never
 * passes through a JS number; toStoredEvent turns the two into the public position.
 */
export function eventColumns(alias: string, dialect: Dialect): string {
  const a = `${alias}.`;
  return [
    `CAST(${a}position AS TEXT) AS position`,
    `${dialect.order.txColumn(alias)} AS tx`,
    `${a}id`,
    `${a}stream`,
    `${a}stream_version`,
    `${a}type`,
    `${a}version`,
    `${a}occurred_at`,
    `${a}correlation_id`,
    `${a}causation_id`,
    `${a}traceparent`,
    `${a}actor`,
    `${a}data`,
  ].join(', ');
}

export const INSERT_EVENT_COLUMNS =
  'id, stream, stream_version, type, version, occurred_at, correlation_id, causation_id, traceparent, actor, data';

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string')
    throw new TypeError(`column ${column}: expected text, got ${typeof value}`);
  return value;
}

/** pg returns int8 (COUNT, MAX) as strings and int4 as numbers; SQLite returns numbers. */
export function int(row: Row, column: string): number {
  const value = Number(row[column]);
  if (!Number.isSafeInteger(value)) throw new TypeError(`column ${column}: expected an integer`);
  return value;
}

export function toStoredEvent(row: Row, dialect: Dialect): StoredEvent {
  const causationId = row['causation_id'];
  const traceparent = row['traceparent'];
  const actor = row['actor'];
  return {
    position: dialect.order.position(text(row, 'tx'), text(row, 'position')),
    id: text(row, 'id'),
    type: text(row, 'type'),
    version: int(row, 'version'),
    stream: text(row, 'stream'),
    streamVersion: int(row, 'stream_version'),
    occurredAt: text(row, 'occurred_at'),
    correlationId: text(row, 'correlation_id'),
    ...(typeof causationId === 'string' ? { causationId } : {}),
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    // Stored as JSON text on both drivers; parseEvent validates it like the rest.
    ...(typeof actor === 'string'
      ? { actor: JSON.parse(actor) as NonNullable<StoredEvent['actor']> }
      : {}),
    data: dialect.decodeJson(row['data']),
  };
}
