import type { z } from 'zod';
import { settings, type SettingName } from './defaults';
import { SECRET_SETTINGS } from './secret-files';

/**
 * Settings whose default is each app's own (loadConfig's `overrides`), not
 * the table's: the schema alone would call PORT "(required)", which it never
 * is for an app started as shipped.
 */
const PER_APP_DEFAULTS: Partial<Record<SettingName, string>> = {
  PORT: 'per app: 3000 auth-api and embedded, 3001 token-service, 3002 introspection-service, 3003 session-service',
  GRPC_PORT: 'per app: 50051 token-service, 50053 session-service',
  ADMIN_PORT:
    'per app: 9100 auth-api and embedded, 9101 token-service, 9102 session-service, 9103 introspection-service',
};

function defaultOf(name: SettingName, schema: z.ZodType): string {
  const perApp = PER_APP_DEFAULTS[name];
  if (perApp) return perApp;
  const parsed = schema.safeParse(undefined);
  if (!parsed.success) return '(required)';
  if (parsed.data === undefined) return '(unset)';
  if (parsed.data === '' || (Array.isArray(parsed.data) && parsed.data.length === 0))
    return '(empty)';
  return `\`${Array.isArray(parsed.data) ? parsed.data.join(',') : String(parsed.data)}\``;
}

/**
 * Standard OpenTelemetry variables: read by the SDK, not by loadConfig, so
 * documented here and not in the table (docs/operations/traces.md).
 */
const OPENTELEMETRY_SECTION: readonly string[] = [
  '## OpenTelemetry traces',
  '',
  'Traces are not settings of this table: the apps read the standard OpenTelemetry',
  'variables through the OpenTelemetry SDK (docs/operations/traces.md). Tracing is',
  'off unless an OTLP endpoint is set; off, the SDK is not even loaded.',
  '',
  '| variable | default | meaning |',
  '| --- | --- | --- |',
  '| `OTEL_EXPORTER_OTLP_ENDPOINT` | (unset: tracing off) | Base URL of an OTLP collector (`http://otel-collector:4318`; for `grpc`, its port 4317); over HTTP spans go to `<url>/v1/traces`. Setting it turns tracing on. |',
  '| `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | (unset) | The full traces URL, used as is; also turns tracing on. |',
  "| `OTEL_EXPORTER_OTLP_HEADERS` | (unset) | `key=value,...` headers sent with every export (a collector's credentials). Also `OTEL_EXPORTER_OTLP_TIMEOUT`, `_COMPRESSION` (`gzip`), `_CERTIFICATE`, `_CLIENT_KEY`, `_CLIENT_CERTIFICATE`, and each `OTEL_EXPORTER_OTLP_TRACES_*` form. |",
  '| `OTEL_EXPORTER_OTLP_PROTOCOL` | `http/protobuf` | `http/protobuf`, `http/json` (both OTLP/HTTP, port 4318) or `grpc` (OTLP/gRPC, port 4317; an `http://` endpoint is plaintext, `https://` TLS). `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` wins over it. Another value is logged as a warning and `http/protobuf` is used. |',
  "| `OTEL_SERVICE_NAME` | the app's name | `service.name` of every span (`auth-api`, `token-service`, `introspection-service`, `session-service`, `embedded`); `OTEL_RESOURCE_ATTRIBUTES` adds resource attributes. |",
  "| `OTEL_TRACES_SAMPLER` | `parentbased_always_on` | Which traces are recorded: `always_on`, `always_off`, `traceidratio`, `parentbased_*` (follow the caller's sampled flag). `OTEL_TRACES_SAMPLER_ARG`: the ratio, e.g. `0.1`. |",
  '| `OTEL_BSP_SCHEDULE_DELAY` | `5000` | Milliseconds between batch exports; also `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BSP_EXPORT_TIMEOUT`. The queue is also exported at SIGTERM. |',
  '| `OTEL_SDK_DISABLED` | `false` | `true`: tracing off whatever else is set (so is `OTEL_TRACES_EXPORTER=none`). |',
  '',
];

/** docs/configuration.md, generated from the one table of settings so the two never disagree. */
export function renderConfigDocs(): string {
  const rows = Object.entries(settings).map(
    ([name, s]) =>
      `| \`${name}\` | ${defaultOf(name as SettingName, s.schema as z.ZodType)} | ${s.description}${
        (SECRET_SETTINGS as readonly string[]).includes(name)
          ? ` Or \`${name}_FILE\`: a file holding the value.`
          : ''
      } |`,
  );
  return [
    '# Configuration',
    '',
    'Every setting is an environment variable, read and validated once at start-up;',
    'an invalid value stops the process with every problem listed. This file is',
    'generated from `packages/config/src/defaults.ts` (`npm run docs:config`).',
    '',
    'Each app has its own default `PORT`: auth-api and the embedded mode 3000,',
    'token-service 3001, introspection-service 3002, session-service 3003.',
    '',
    'Secrets can come from files instead of the environment (Docker and Kubernetes',
    'secrets mounted as files): for each of',
    `${SECRET_SETTINGS.map((n) => `\`${n}\``).join(', ')},`,
    '`<NAME>_FILE` names a file whose content, trimmed, is the value. Setting both',
    '`<NAME>` and `<NAME>_FILE`, or naming an unreadable or empty file, stops the',
    'process at start-up.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    ...OPENTELEMETRY_SECTION,
  ].join('\n');
}
