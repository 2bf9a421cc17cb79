import { rootLogger } from '@idp/observability';

/**
 * What the rpc layer logs through. Entries name the service, method,
 * correlation id and the failure, never request or response bodies (they
 * carry codes, secrets and token hashes).
 */
export interface RpcLogger {
  /** One line per call a gRPC server handled (optional: silent and test loggers omit it). */
  info?(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/**
 * The process-wide structured logger (`@idp/observability`), looked up at
 * each call so the app's configuration (level, format, service) applies.
 * Inside a call the line also carries the caller's request id.
 */
export const defaultRpcLogger: RpcLogger = {
  info: (message, context) => rootLogger().info({ component: 'rpc', ...context }, message),
  warn: (message, context) => rootLogger().warn({ component: 'rpc', ...context }, message),
  error: (message, context) => rootLogger().error({ component: 'rpc', ...context }, message),
};

export const silentRpcLogger: RpcLogger = { warn: () => undefined, error: () => undefined };
