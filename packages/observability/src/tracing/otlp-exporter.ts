import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The OTLP encodings of the specification's OTEL_EXPORTER_OTLP_PROTOCOL. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The specification's default, what every OTLP collector accepts on 4318. */
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';

export interface ChosenProtocol {
  readonly protocol: OtlpProtocol;
  /** Set when the variable held something else: the caller warns and the default is used. */
  readonly refused?: string;
}

/** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL wins over OTEL_EXPORTER_OTLP_PROTOCOL, as the specification says. */
export function otlpProtocol(env: Readonly<Record<string, string | undefined>>): ChosenProtocol {
  const raw = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'];
  const value = raw?.trim();
  if (value === undefined || value === '') return { protocol: DEFAULT_OTLP_PROTOCOL };
  const known = OTLP_PROTOCOLS.find((p) => p === value);
  return known === undefined
    ? { protocol: DEFAULT_OTLP_PROTOCOL, refused: value }
    : { protocol: known };
}

/**
 * The exporter of one protocol, loaded only when tracing is on. Each reads
 * the rest of OTEL_EXPORTER_OTLP_* itself (endpoint, headers, timeout,
 * compression, certificates); grpc defaults to localhost:4317, the HTTP
 * ones to localhost:4318/v1/traces.
 */
export async function createOtlpExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  switch (protocol) {
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
  }
}
