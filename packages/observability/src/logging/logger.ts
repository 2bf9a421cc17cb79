import pino, { type DestinationStream, type Logger } from 'pino';
import { currentContext } from '../context/request-context';
import { currentSpanId } from '../tracing/spans';
import { parseLevel, resolveFormat } from './levels';
import { redact, scrubText } from './redaction';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** The `service` field of every line (auth-api, token-service, cli...). */
  readonly service: string;
  /** LOG_LEVEL: error|warn|info|debug|trace (Nest's `log`/`verbose` accepted); default info. */
  readonly level?: string | undefined;
  /** LOG_FORMAT: json|pretty; default pretty on a terminal, json otherwise. */
  readonly format?: string | undefined;
  /** Where lines go; default stdout, written asynchronously (tests pass a sink). */
  readonly destination?: DestinationStream;
}

/** The fields of the current request context, merged into every line logged inside it. */
function contextFields(): Record<string, string> {
  const context = currentContext();
  if (context === undefined) return {};
  const fields: Record<string, string> = {
    request_id: context.requestId,
    trace_id: context.traceId,
  };
  // Tracing on: the span the line was written in (docs/operations/traces.md).
  const spanId = currentSpanId();
  if (spanId !== undefined) fields['span_id'] = spanId;
  if (context.clientId !== undefined) fields['client_id'] = context.clientId;
  return fields;
}

/**
 * stdout through an asynchronous SonicBoom: a log call costs a buffer append,
 * not a write(2), on the request path. Lines still buffered when the process
 * exits are flushed synchronously then.
 */
function asyncStdout(): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // Not open yet or already closed: nothing left to write.
    }
  });
  return destination;
}

function defaultDestination(format: string | undefined): DestinationStream {
  if (resolveFormat(format, process.stdout.isTTY === true) === 'pretty') {
    // Loaded only here: a service logging JSON (every deployment) never pays for pino-pretty's
    // ~30 modules at start, which counts after a crash (docs/operations/restarts.md).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pretty({ colorize: process.stdout.isTTY === true, sync: true, ignore: 'pid,hostname' });
  }
  return asyncStdout();
}

/**
 * One JSON object per line: `time` (ISO 8601), `level` (its name),
 * `service`, `msg`, `request_id`/`trace_id` inside a request context, then
 * the structured fields, all passed through the redaction policy.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = parseLevel(options.level) ?? 'info';
  return pino(
    {
      level,
      base: { service: options.service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: contextFields,
      // Errors are already reduced by the redaction policy (`safeError`); pino's own serializer would re-wrap them.
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      hooks: {
        // The message (and printf arguments) pass through the same text scrub as field values.
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const arg: unknown = args[i];
            if (typeof arg === 'string') (args as unknown[])[i] = scrubText(arg);
          }
          method.apply(this, args);
        },
      },
    },
    options.destination ?? defaultDestination(options.format),
  );
}

let root: Logger | undefined;

/**
 * Sets the process-wide logger (runService does, from the config); the bus,
 * rpc, the event store and Nest's Logger all write through it.
 */
export function configureLogging(options: LoggerOptions): Logger {
  root = createLogger(options);
  return root;
}

/**
 * The process-wide logger. Before `configureLogging`, one from the
 * environment (LOG_LEVEL, LOG_FORMAT), so a library logging early still
 * writes structured lines.
 */
export function rootLogger(): Logger {
  root ??= createLogger({
    service: process.env['SERVICE_NAME'] ?? 'idp',
    level: process.env['LOG_LEVEL'],
    format: process.env['LOG_FORMAT'],
  });
  return root;
}
