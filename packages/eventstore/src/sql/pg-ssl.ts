import { readFileSync } from 'node:fs';

/** libpq's sslmode values that mean something to node-postgres (DATABASE_SSL). */
export type PgSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** What node-postgres takes as `ssl`: off, or the few Node TLS options we set. */
export type PgSsl =
  | false
  | {
      readonly rejectUnauthorized: boolean;
      readonly ca?: string;
      readonly checkServerIdentity?: () => undefined;
    };

/**
 * node-postgres `ssl` for a libpq-style mode. `require` encrypts without
 * verifying the server (libpq's meaning, kept for compatibility; prefer
 * verify-full); `verify-ca` checks the chain but not the host name (for
 * servers reached by an address their certificate does not name);
 * `verify-full` checks both. The CA file is read once, at boot.
 */
export function pgSslConfig(
  mode: PgSslMode,
  caFile?: string,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): PgSsl {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  const ca = caFile ? { ca: readCa(caFile, readFile) } : {};
  if (mode === 'verify-ca') {
    return { ...ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  }
  return { ...ca, rejectUnauthorized: true };
}

function readCa(path: string, readFile: (path: string) => string): string {
  let pem: string;
  try {
    pem = readFile(path);
  } catch (err) {
    throw new Error(`cannot read the PostgreSQL CA file ${path}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`the PostgreSQL CA file ${path} holds no PEM certificate`);
  }
  return pem;
}
