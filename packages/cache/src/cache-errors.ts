/**
 * The cache could not give a trustworthy answer (down, timed out, closed,
 * protocol error). Callers fail closed: a token whose state is unknown is
 * not active. The message is kept but the original error is not, because
 * ioredis attaches the command arguments (keys, values) to its errors and
 * those must never reach a log.
 */
export class CacheUnavailableError extends Error {
  override readonly name = 'CacheUnavailableError';
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

export function toCacheError(error: unknown): CacheUnavailableError {
  if (error instanceof CacheUnavailableError) return error;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return new CacheUnavailableError(error.message, typeof code === 'string' ? code : undefined);
  }
  return new CacheUnavailableError('cache operation failed');
}

/** Where adapters report connection trouble. Only ever messages: never keys or values. */
export interface CacheLogger {
  warn(message: string): void;
}

/** Default for scripts and tests; Nest apps pass their Logger (it has `warn(message)`). */
export const consoleCacheLogger: CacheLogger = {
  warn: (message) => console.error(`[cache] ${message}`),
};
