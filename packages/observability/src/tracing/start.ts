import { setTimeout } from 'node:timers/promises';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { rootLogger } from '../logging/logger';
import { createOtlpExporter, OTLP_PROTOCOLS, otlpProtocol } from './otlp-exporter';
import type { TracingSdk } from './sdk';

export interface Tracing extends TracingSdk {
  readonly serviceName: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function set(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/**
 * Tracing is on when an OTLP endpoint is named (OTEL_EXPORTER_OTLP_ENDPOINT,
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT for traces alone), unless
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none says otherwise.
 */
export function tracingConfigured(env: Env = process.env): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  if (env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase() === 'none') return false;
  return set(env['OTEL_EXPORTER_OTLP_ENDPOINT']) || set(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

export interface StartTracingOptions {
  /** Defaults to process.env; the SDK itself always reads process.env. */
  readonly env?: Env;
  /** Replaces the OTLP exporter (tests: the SDK's InMemorySpanExporter); starts tracing without an endpoint. */
  readonly exporter?: SpanExporter;
  /** Flush queued spans before the process dies of SIGTERM/SIGINT. Default true. */
  readonly flushOnSignals?: boolean;
}

/**
 * Starts tracing for this process when it is configured, first thing in a
 * main.ts. Off (the default), it loads nothing and returns undefined, and
 * every span call stays a no-op.
 */
export async function startTracing(
  serviceName: string,
  options: StartTracingOptions = {},
): Promise<Tracing | undefined> {
  const env = options.env ?? process.env;
  const disabled = env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true';
  if (disabled || (options.exporter === undefined && !tracingConfigured(env))) return undefined;
  const chosen = otlpProtocol(env);
  if (chosen.refused !== undefined) {
    rootLogger().warn(
      { log: 'tracing', protocol: chosen.refused },
      `unknown OTLP protocol (use ${OTLP_PROTOCOLS.join(', ')}): exporting ${chosen.protocol}`,
    );
  }
  const { startSdk } = await import('./sdk');
  const exporter = options.exporter ?? (await createOtlpExporter(chosen.protocol));
  const sdk = startSdk(serviceName, exporter);
  const stopListening = options.flushOnSignals === false ? () => undefined : flushBeforeDying(sdk);
  return {
    serviceName,
    flush: () => sdk.flush(),
    shutdown: () => {
      stopListening();
      return sdk.shutdown();
    },
  };
}

const SHUTDOWN_BUDGET_MS = 3_000;

/**
 * Nest's shutdown hook closes the app on SIGTERM and then raises the signal
 * again, once its own listener is gone. This listener stays until that
 * second signal (or a first one nobody else listens to): then it exports
 * what is queued, within a budget, and lets the signal kill the process.
 */
function flushBeforeDying(sdk: TracingSdk): () => void {
  const stopListening = (): void => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) {
      void sdk.flush().catch(() => undefined);
      return;
    }
    const budget = setTimeout(SHUTDOWN_BUDGET_MS, undefined, { ref: false });
    void Promise.race([sdk.shutdown().catch(() => undefined), budget]).then(() => {
      stopListening();
      process.kill(process.pid, signal);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return stopListening;
}
