import { readFileSync } from 'node:fs';

/**
 * Settings that hold a secret (or a URL that may carry one). Each also
 * accepts `<NAME>_FILE`: the path of a file whose content, trimmed, is the
 * value, so orchestrators can mount secrets as files (Docker/Kubernetes
 * secrets) instead of putting them in the environment, where `ps e`,
 * `docker inspect` and crash reports see them.
 */
export const SECRET_SETTINGS = [
  'KEY_ENCRYPTION_KEY',
  'TOKEN_HASH_KEY',
  'ADMIN_TOKEN',
  'INITIAL_ACCESS_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_SENTINEL_PASSWORD',
  'KAFKA_SASL_PASSWORD',
] as const;

export type ReadSecretFile = (path: string) => string;

const readUtf8: ReadSecretFile = (path) => readFileSync(path, 'utf8');

/**
 * Replaces every `<NAME>_FILE` of SECRET_SETTINGS by `<NAME>` with the file's
 * trimmed content. Setting both is a problem (which one wins would be a
 * guess), and so is a file that cannot be read or is empty. Problems name the
 * variable and the path, never the content.
 */
export function resolveSecretFiles(
  env: NodeJS.ProcessEnv,
  read: ReadSecretFile = readUtf8,
): { env: NodeJS.ProcessEnv; problems: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar];
    delete out[fileVar];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}: set either ${name} or ${fileVar}, not both`);
      continue;
    }
    let content: string;
    try {
      content = read(path).trim();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      problems.push(
        `${fileVar}: cannot read ${path} (${typeof code === 'string' ? code : 'error'})`,
      );
      continue;
    }
    if (!content) {
      problems.push(`${fileVar}: ${path} is empty`);
      continue;
    }
    out[name] = content;
  }
  return { env: out, problems };
}
