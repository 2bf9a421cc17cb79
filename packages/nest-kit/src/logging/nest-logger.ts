import type { LoggerService } from '@nestjs/common';
import { parseLevel, rootLogger, type Logger } from '@idp/observability';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's own start-up narration: a line per module, controller and route
 * (~80 for the embedded mode). Only useful when debugging routing, so at
 * debug; the apps print their own one-line "listening" (and `npm start` a
 * banner) instead.
 */
const BOOT_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

/**
 * Nest's LoggerService over pino, so every `new Logger(context)` of the apps
 * writes the same JSON lines as the rest of the process: the Nest context
 * becomes the `context` field, an Error its `err` (type, message, stack
 * only), an object message its fields. The level is pino's (LOG_LEVEL);
 * Nest's own level filter is not used.
 */
export class PinoNestLogger implements LoggerService {
  /** `logger` defaults to the process-wide one, read at each call (configureLogging may replace it). */
  constructor(private readonly logger?: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    const chatter = typeof context === 'string' && BOOT_CHATTER.has(context);
    this.write(chatter ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    const logger = this.logger ?? rootLogger();
    if (!logger.isLevelEnabled(level)) return;
    // Nest appends the Logger's context as the last string argument.
    const rest = [...params];
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    // Logger.error(message, stack, context): the stack Nest passes along.
    if (level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n    at ')) {
      fields['stack'] = rest.shift();
    }
    if (message instanceof Error) {
      logger[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      logger[level](fields, String(message));
    }
  }
}

/**
 * The adapter over the process-wide logger, or over a child of it that is
 * quieter (`level`, as tests ask): a child never logs more than LOG_LEVEL.
 */
export function nestLogger(level?: string): PinoNestLogger {
  const parsed = parseLevel(level);
  if (parsed === undefined) return new PinoNestLogger();
  const root = rootLogger();
  const wanted = root.levels.values[parsed] ?? Infinity;
  return new PinoNestLogger(wanted > root.levelVal ? root.child({}, { level: parsed }) : undefined);
}
