import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, loadConfig } from '@idp/config';
import { createEventStore, type MigrationMode, type TypeOrmEventStore } from '@idp/eventstore';
import { postgresTarget } from '@idp/nest-kit';
import { CliError } from './errors';

/**
 * The services' own settings, validated the same way. In the embedded mode
 * the secrets the embedded process generated (DATA_DIR/secrets.json) fill
 * KEY_ENCRYPTION_KEY and TOKEN_HASH_KEY when they are not set; the file is
 * only read, never created.
 */
export function cliConfig(env: NodeJS.ProcessEnv, embedded: boolean): Config {
  const config = loadConfig(env, { PORT: '0' });
  if (!embedded) return config;
  const file = join(resolve(config.DATA_DIR), 'secrets.json');
  if (!existsSync(file)) return config;
  const secrets = JSON.parse(readFileSync(file, 'utf8')) as Partial<Config>;
  return {
    ...config,
    KEY_ENCRYPTION_KEY: config.KEY_ENCRYPTION_KEY ?? secrets.KEY_ENCRYPTION_KEY,
    TOKEN_HASH_KEY: config.TOKEN_HASH_KEY ?? secrets.TOKEN_HASH_KEY,
  };
}

export const eventStoreFile = (config: Config) => join(resolve(config.DATA_DIR), 'events.sqlite');

/** Where the store is, for messages: never the URL's credentials. */
export function describeStore(config: Config, embedded: boolean): string {
  if (embedded) return `SQLite ${eventStoreFile(config)}`;
  try {
    const url = new URL(config.DATABASE_URL);
    return `PostgreSQL ${url.host}${url.pathname} schema ${config.DATABASE_SCHEMA}`;
  } catch {
    return `PostgreSQL schema ${config.DATABASE_SCHEMA}`;
  }
}

/**
 * Opens the event store. Read-only commands `verify` the schema (they never
 * alter what token-service owns; a read-only role is enough).
 */
export async function openEventStore(
  config: Config,
  embedded: boolean,
  migrations: MigrationMode,
  poolSize = 2,
): Promise<TypeOrmEventStore> {
  if (embedded) {
    const file = eventStoreFile(config);
    if (migrations === 'verify' && !existsSync(file))
      throw new CliError(`no event store at ${file} (DATA_DIR)`);
    return createEventStore({ driver: 'sqlite', file, migrations });
  }
  // The same TLS settings as the services (DATABASE_SSL, DATABASE_SSL_CA_FILE).
  return createEventStore({
    ...postgresTarget(config),
    poolSize,
    applicationName: 'idp-cli',
    migrations,
  });
}

/** Runs `body` with an open store and always closes it. */
export async function withEventStore<T>(
  config: Config,
  embedded: boolean,
  body: (store: TypeOrmEventStore) => Promise<T>,
): Promise<T> {
  const store = await openEventStore(config, embedded, 'verify');
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
