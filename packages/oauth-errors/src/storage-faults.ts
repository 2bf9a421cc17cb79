import { RETRY_AFTER_SECONDS, TemporarilyUnavailable } from './errors';

/**
 * What kind of storage fault an error is, if any (issue #12, ADR 0014):
 * - `connection`: the connection died or never came (failover, pooler restart,
 *   idle timeout, network). The statement may or may not have run; a read can
 *   be repeated on a fresh connection, a write only when its outcome is known.
 * - `busy`: the database refused for now (SQLite locked, no free connection
 *   in the pool in time, too many connections). Nothing ran.
 *
 * Matched on codes and names, never on the drivers' classes, so this package
 * needs no driver and the answer is the same whichever layer wrapped the error
 * (TypeORM's QueryFailedError keeps the pg error as `driverError`).
 */
export type StorageFaultKind = 'connection' | 'busy';

/** PostgreSQL SQLSTATEs: class 08 (connection exception) and the shutdown family of 57. */
const CONNECTION_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3])$/;
/** 53300 too_many_connections, 57P04 database_dropped is not one of ours. */
const BUSY_SQLSTATE = new Set(['53300']);
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)(_|$)/;
/** TypeORM: the query runner's connection was released under it (pg emitted 'error'). */
const CONNECTION_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError']);
/** node-postgres and pg-pool say these in words only. */
const CONNECTION_MESSAGES = [
  /^Connection terminated( unexpectedly|)$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Connection terminated due to connection timeout$/,
];
const BUSY_MESSAGES = [/^timeout exceeded when trying to connect$/];

/** How deep to follow `cause`/`driverError`: wrappers nest a few levels at most. */
const MAX_DEPTH = 5;

export function storageFaultKind(err: unknown): StorageFaultKind | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_DEPTH && isObject(current); depth++) {
    const kind = kindOf(current);
    if (kind !== undefined) return kind;
    current = current['driverError'] ?? current['cause'];
  }
  return undefined;
}

export const isStorageFault = (err: unknown): boolean => storageFaultKind(err) !== undefined;

export const isConnectionFault = (err: unknown): boolean => storageFaultKind(err) === 'connection';

/**
 * The OAuth face of a storage fault: 503 temporarily_unavailable with
 * Retry-After (RFC 6749 4.1.2.1 and 5.2 allow the code; RFC 9110 10.2.3 the
 * header). The description says nothing about the database.
 */
export class StorageUnavailable extends TemporarilyUnavailable {
  override readonly name: string = 'StorageUnavailable';
  constructor(cause?: unknown) {
    // A failover or a pooler restart is over in a few seconds.
    super('the service is temporarily unavailable, try again shortly', {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      cause,
    });
  }
}

function kindOf(e: Record<string, unknown>): StorageFaultKind | undefined {
  if (e instanceof StorageUnavailable) return 'connection';
  const code = typeof e['code'] === 'string' ? e['code'] : undefined;
  const name = typeof e['name'] === 'string' ? e['name'] : '';
  const message = typeof e['message'] === 'string' ? e['message'] : '';
  if (code !== undefined) {
    if (CONNECTION_SQLSTATE.test(code) || SOCKET_CODES.has(code)) return 'connection';
    if (BUSY_SQLSTATE.has(code) || SQLITE_BUSY.test(code)) return 'busy';
  }
  if (CONNECTION_ERROR_NAMES.has(name)) return 'connection';
  if (CONNECTION_MESSAGES.some((m) => m.test(message))) return 'connection';
  if (BUSY_MESSAGES.some((m) => m.test(message))) return 'busy';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
