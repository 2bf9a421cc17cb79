/**
 * What the bus logs through. Apps pass their Nest logger; entries carry
 * topic/partition/offset/group and error text, never message values (they can
 * hold token hashes).
 */
export interface BusLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Fallback when no logger is injected; stderr only, like every diagnostic of this repo. */
export const consoleBusLogger: BusLogger = {
  warn: (message, context) => console.error(`[bus] warn: ${message}`, context ?? ''),
  error: (message, context) => console.error(`[bus] ${message}`, context ?? ''),
};

export const silentBusLogger: BusLogger = { warn: () => undefined, error: () => undefined };
