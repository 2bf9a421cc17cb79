import pino, { type Logger } from 'pino';
import { currentSpanId } from '../tracing/spans';
import { rootLogger } from './logger';
import { scrubText } from './redaction';

/** One HTTP request as its access-log line tells it. */
export interface AccessLine {
  readonly method: string | undefined;
  /** The route template (never the URL: a query string can hold a code or a token); null when none matched. */
  readonly route: string | null;
  readonly status: number;
  readonly durationMs: number;
  /** Closed before it was answered. */
  readonly aborted: boolean;
  /** Validated by the request context (`isValidRequestId`), as `traceId` is hex. */
  readonly requestId: string;
  readonly traceId: string;
  readonly clientId?: string | undefined;
}

interface LineStream {
  write(line: string): unknown;
}

/** The part of a line every access line of one logger shares, after `time`. */
const servicePart = new WeakMap<Logger, string>();

function serviceOf(log: Logger): string {
  let part = servicePart.get(log);
  if (part === undefined) {
    const service = (log.bindings() as { service?: unknown }).service;
    part = typeof service === 'string' ? `,"service":${JSON.stringify(service)}` : '';
    servicePart.set(log, part);
  }
  return part;
}

/**
 * Writes one access-log line (`log: "access"`) to the process logger's
 * destination, in the shape pino gives every other line: level, time,
 * service, the request's ids, the fields, `msg`. It is serialised here
 * rather than by pino because it is written once per request, /introspect
 * included, and its fields need none of pino's per-line work: each is a
 * number, a method from Node's parser, a route template from our code or an
 * id the request context validated, so the redaction walk and the context
 * mixin have nothing to do. Skipping them saves about a third of what
 * observing a request costs (docs/BENCHMARKS.md, issue #14). The client id
 * still goes through the text scrub, as any value does.
 */
export function logAccess(line: AccessLine): void {
  const log = rootLogger();
  const level = line.status >= 500 ? 'warn' : 'info';
  if (!log.isLevelEnabled(level)) return;
  const spanId = currentSpanId();
  let text =
    `{"level":"${level}","time":"${new Date().toISOString()}"${serviceOf(log)}` +
    `,"request_id":${JSON.stringify(line.requestId)},"trace_id":${JSON.stringify(line.traceId)}`;
  if (spanId !== undefined) text += `,"span_id":"${spanId}"`;
  if (line.clientId !== undefined)
    text += `,"client_id":${JSON.stringify(scrubText(line.clientId))}`;
  text +=
    `,"log":"access","method":${JSON.stringify(line.method ?? null)}` +
    `,"route":${JSON.stringify(line.route)},"status":${line.status}` +
    `,"duration_ms":${Math.round(line.durationMs * 100) / 100}`;
  if (line.aborted) text += ',"aborted":true';
  text += ',"msg":"request completed"}\n';
  ((log as unknown as Record<symbol, LineStream>)[pino.symbols.streamSym] as LineStream).write(
    text,
  );
}
