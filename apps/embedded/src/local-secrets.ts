import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBase64url } from '@idp/crypto';

export interface LocalSecrets {
  readonly KEY_ENCRYPTION_KEY: string;
  readonly TOKEN_HASH_KEY: string;
}

/**
 * The embedded mode must run on a fresh laptop with no configuration, yet
 * keys must survive restarts (or every stored key and token hash would be
 * unreadable). So it generates its secrets once into DATA_DIR with mode 0600.
 * Production sets them explicitly; the distributed mode refuses to start
 * without them.
 */
export function ensureLocalSecrets(dataDir: string): LocalSecrets {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    KEY_ENCRYPTION_KEY: randomBase64url(32),
    TOKEN_HASH_KEY: randomBase64url(32),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return secrets;
}
