import type { z } from 'zod';
import { inconsistencies } from './consistency';
import { settings, type Config, type SettingName } from './defaults';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the environment once, at boot. An invalid value stops
 * the process with every problem listed, instead of failing on first use.
 * `overrides` are per-app defaults (each app has its own default PORT).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<SettingName, string>> = {},
): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings) as [
    SettingName,
    { schema: z.ZodType },
  ][]) {
    const raw = env[name] !== undefined && env[name] !== '' ? env[name] : overrides[name];
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else problems.push(`${name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (!problems.length) problems.push(...inconsistencies(out as Config));
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as Config;
}

/** Injection token for the validated configuration. */
export const CONFIG = Symbol('Config');
