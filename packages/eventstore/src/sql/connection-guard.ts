import { setTimeout } from 'node:timers/promises';
import { isConnectionFault } from '@idp/oauth-errors';
import { rootLogger } from '@idp/observability';
import { Client, type ClientConfig } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Where the SQL adapters report lost connections. Entries carry the error's
 * code and message only: never SQL parameters (they hold token hashes) and
 * never the connection string (it may hold a password).
 */
export interface StorageLogger {
  warn(message: string): void;
}

/** The process-wide structured logger (`@idp/observability`), looked up at each call. */
export const defaultStorageLogger: StorageLogger = {
  warn: (message) => rootLogger().warn({ component: 'storage' }, message),
};

/** The former name (it wrote to stderr), kept for the session-service delivery store's imports. */
export const consoleStorageLogger = defaultStorageLogger;

export function describeFault(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`;
}

/**
 * pg Client options that keep a dying connection from killing the process.
 * node-postgres emits 'error' on a client whose backend goes away while no
 * query is running on it (FATAL 57P01 after pg_terminate_backend, a reset
 * socket); with no listener Node throws it. pg-pool listens only while the
 * client is idle and TypeORM only once it has handed the client to a query
 * runner, and between the two (a fresh client handed out in the same socket
 * read that brings the FATAL) nobody does: issue #12's crash. This client
 * listens from construction to the end, so every client of the pool always
 * has a listener; pg-pool and TypeORM still see the error and discard it.
 */
export function guardedPgOptions(
  applicationName: string,
  log: StorageLogger,
): { Client: typeof Client; application_name: string } {
  class GuardedClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
      this.on('error', (err) =>
        log.warn(`connection lost (${applicationName}): ${describeFault(err)}`),
      );
    }
  }
  return { Client: GuardedClient, application_name: applicationName };
}

/**
 * One unit of work on its own query runner (a pooled connection). When the
 * work failed because the connection died, the connection is ended before it
 * goes back, so the pool drops it and opens a fresh one instead of handing a
 * dead client to the next caller ("Client has encountered a connection
 * error and is not queryable").
 */
export async function withQueryRunner<T>(
  dataSource: DataSource,
  fn: (qr: QueryRunner) => Promise<T>,
): Promise<T> {
  const qr = dataSource.createQueryRunner();
  try {
    return await fn(qr);
  } catch (err) {
    if (isConnectionFault(err)) discardConnection(qr);
    throw err;
  } finally {
    await qr.release();
  }
}

/** Long enough for the sockets of the other dead connections to be read; short for a client. */
const RETRY_PAUSE_MS = 20;

/**
 * Connections die together (a failover ends every backend at once), and the
 * pool learns of each one only when its socket is read. Without this pause a
 * retry would take the next idle client, whose FATAL is still unread.
 */
export function letThePoolNoticeDeadConnections(): Promise<void> {
  return setTimeout(RETRY_PAUSE_MS);
}

/**
 * An idempotent read: repeated once on a fresh connection when the first
 * attempt lost its connection (the pool's idle clients all die together in
 * a failover, so the first query after one often meets a dead client).
 * Anything else, and a second failure, goes to the caller.
 */
export async function readWithRetry<T>(read: () => Promise<T>, log: StorageLogger): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!isConnectionFault(err)) throw err;
    log.warn(`read lost its connection, retrying once: ${describeFault(err)}`);
    await letThePoolNoticeDeadConnections();
    return read();
  }
}

/** TypeORM keeps the pooled client on the runner (protected in its types, there in 0.3 and 1.x). */
function discardConnection(qr: QueryRunner): void {
  if (qr.isReleased) return; // TypeORM already released it with the error: the pool dropped it.
  const client = (qr as unknown as { databaseConnection?: unknown }).databaseConnection;
  // Not awaited: ending a half-open socket can take long; `_ending` is set at once,
  // which is what makes the pool drop the client on release.
  if (client instanceof Client) void client.end().catch(() => undefined);
}
