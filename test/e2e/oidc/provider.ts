import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { startDistributedStack } from '../support/distributed-stack';
import { freePort, ServiceProcess } from '../support/service-process';

/** The provider under test, in either mode, seen from its clients. */
export interface Provider {
  /** The issuer (http://127.0.0.1:<free port>): where a client discovers, pushes and redeems. */
  readonly base: string;
  /** Where the browser is sent with a request_uri: the second auth-api replica when there is one. */
  readonly authorizeBase: string;
  /** The introspection endpoint: auth-api's when embedded, introspection-service's when distributed. */
  readonly introspectUrl: string;
  stop(): Promise<void>;
}

export interface ProviderOptions {
  readonly mode: 'embedded' | 'distributed';
  /** Names the temporary data folder (embedded) or the isolated schema and prefixes (distributed). */
  readonly name: string;
  readonly seedFile: string;
  /**
   * Distributed only: a second auth-api over the same Redis and services, so
   * a request pushed through one replica is redeemed through the other.
   */
  readonly secondAuthApi?: boolean;
}

/** Starts the provider on a free port, its issuer a loopback URL; ready when this resolves. */
export async function startProvider(options: ProviderOptions): Promise<Provider> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  return options.mode === 'embedded'
    ? startEmbeddedProvider(options, port, base)
    : startDistributedProvider(options, port, base);
}

async function startEmbeddedProvider(
  { name, seedFile }: ProviderOptions,
  port: number,
  base: string,
): Promise<Provider> {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), `idp-${name}-`)),
    PORT: String(port),
    ISSUER: base,
    SEED_FILE: seedFile,
    LOG_LEVEL: 'warn',
  });
  const { app } = await startEmbedded(config);
  return {
    base,
    authorizeBase: base,
    introspectUrl: `${base}/introspect`,
    stop: () => app.close(),
  };
}

async function startDistributedProvider(
  { name, seedFile, secondAuthApi }: ProviderOptions,
  port: number,
  base: string,
): Promise<Provider> {
  const stack = await startDistributedStack({ name, issuer: base, seedFile, authPort: port });
  const introspectUrl = `${stack.introspection[0]!.url}/introspect`;
  if (!secondAuthApi) return { base, authorizeBase: base, introspectUrl, stop: () => stack.stop() };
  const second = new ServiceProcess('auth-api', { ...stack.env, PORT: String(await freePort()) });
  try {
    await second.start().waitReady();
  } catch (err) {
    await Promise.all([second.stop(), stack.stop()]);
    throw err;
  }
  return {
    base,
    authorizeBase: second.url,
    introspectUrl,
    stop: async () => {
      await second.stop();
      await stack.stop();
    },
  };
}
