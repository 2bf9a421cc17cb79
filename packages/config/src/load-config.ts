import type { z } from 'zod';
import { inconsistencies } from './consistency';
import { settings, type Config, type SettingName } from './defaults';
import { resolveSecretFiles, type ReadSecretFile } from './secret-files';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the environment once, at boot. An invalid value stops
 * the process with every problem listed, instead of failing on first use.
 * `overrides` are per-app defaults (each app has its own default PORT).
 * Secrets may come from files (`<NAME>_FILE`, see secret-files.ts).
 */
export function loadConfig(
  rawEnv: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<SettingName, string>> = {},
  readSecretFile?: ReadSecretFile,
): Config {
  const { env, problems } = resolveSecretFiles(rawEnv, readSecretFile);
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
