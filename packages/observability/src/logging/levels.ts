/** The levels LOG_LEVEL takes, least to most verbose. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * NestJS's names, accepted so deployments configured before issue #14 keep
 * their meaning: `log` was Nest's default level (info), `verbose` its most
 * detailed one (trace).
 */
export const LEVEL_ALIASES: Readonly<Record<string, LogLevelName>> = {
  log: 'info',
  verbose: 'trace',
};

/** A level name or alias as a pino level; `silent` (tests) logs nothing; undefined when unknown. */
export function parseLevel(name: string | undefined): LogLevelName | 'silent' | undefined {
  if (name === undefined) return undefined;
  const lower = name.trim().toLowerCase();
  if (lower === 'silent') return 'silent';
  if ((LOG_LEVELS as readonly string[]).includes(lower)) return lower as LogLevelName;
  return LEVEL_ALIASES[lower];
}

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `pretty` for a person at a terminal, JSON (one object per line) for everything else. */
export function resolveFormat(format: string | undefined, isTty: boolean): LogFormat {
  if (format === 'json' || format === 'pretty') return format;
  return isTty ? 'pretty' : 'json';
}
