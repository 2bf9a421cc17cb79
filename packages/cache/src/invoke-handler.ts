import { type CacheLogger, toCacheError } from './cache-errors';

/**
 * Runs one subscriber's callback so that its failure (thrown or, for an async
 * handler, rejected) is logged and contained: other handlers, later messages
 * and the process itself carry on. Never logs the message itself.
 */
export function invokeIsolated(callback: () => unknown, logger: CacheLogger, what: string): void {
  const report = (error: unknown) => logger.warn(`${what} failed: ${toCacheError(error).message}`);
  try {
    const result = callback();
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}
