import { rootLogger } from '@idp/observability';

/**
 * What the bus logs through. Entries carry topic/partition/offset/group and
 * error text, never message values (they can hold token hashes).
 */
export interface BusLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/**
 * The process-wide structured logger (`@idp/observability`), looked up at
 * each call so the app's configuration (level, format, service) applies.
 */
export const defaultBusLogger: BusLogger = {
  warn: (message, context) => rootLogger().warn({ component: 'bus', ...context }, message),
  error: (message, context) => rootLogger().error({ component: 'bus', ...context }, message),
};

export const silentBusLogger: BusLogger = { warn: () => undefined, error: () => undefined };
