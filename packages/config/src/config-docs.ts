import type { z } from 'zod';
import { settings } from './defaults';

function defaultOf(schema: z.ZodType): string {
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
    ([name, s]) => `| \`${name}\` | ${defaultOf(s.schema as z.ZodType)} | ${s.description} |`,
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
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
