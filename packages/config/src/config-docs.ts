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
  ].join('\n');
}
