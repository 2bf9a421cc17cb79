import { createLogger } from '@idp/observability';

/**
 * The last line of a process that could not start, as JSON like every other
 * line. A logger of its own: the failure can come before runService has
 * configured the process-wide one. Call `process.exit` after it: buffered
 * lines are flushed on exit.
 */
export function reportStartupFailure(service: string, err: unknown): void {
  createLogger({
    service,
    level: process.env['LOG_LEVEL'],
    format: process.env['LOG_FORMAT'],
  }).fatal({ err }, `${service} failed to start`);
}
