/**
 * What the rpc layer logs through. Apps pass their Nest logger. Entries name
 * the service, method, correlation id and the failure, never request or
 * response bodies (they carry codes, secrets and token hashes).
 */
export interface RpcLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Fallback when no logger is injected; stderr only, like every diagnostic of this repo. */
export const consoleRpcLogger: RpcLogger = {
  warn: (message, context) => console.error(`[rpc] warn: ${message}`, context ?? ''),
  error: (message, context) => console.error(`[rpc] ${message}`, context ?? ''),
};

export const silentRpcLogger: RpcLogger = { warn: () => undefined, error: () => undefined };
