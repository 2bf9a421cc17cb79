import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { clientKeyPair, writeSeedFile } from '../oidc/seed';
import { discover, type ServerMetadata } from '../support/rp';
import { freePort } from '../support/service-process';

export interface EmbeddedProvider {
  /** The issuer, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly base: string;
  /** The admin listener (ADR 0017): /admin/*, /metrics, /health/*. */
  readonly adminBase: string;
  /** Its metadata, as openid-client discovered it. */
  readonly issuer: ServerMetadata;
  /** How many events the store holds now. */
  eventCount(): Promise<number>;
  /**
   * The event count once nothing has been appended for a while: consumers
   * (session-service on token events) append after a request has returned,
   * so a before/after comparison starts from a settled store.
   */
  settledEventCount(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The embedded mode on a free port, over a fresh data folder and the seed of
 * the OIDC suite (clients web-opaque, web-jwt, spa, pk-jwt, batch-job; user
 * alice). The returned event store is the one the services write to.
 */
export async function startEmbeddedProvider(): Promise<EmbeddedProvider> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-e2e-'));
  const seedFile = writeSeedFile(clientKeyPair().publicJwk);
  const running = await startEmbedded(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: String(port),
      ISSUER: base,
      SEED_FILE: seedFile,
      LOG_LEVEL: 'error',
    }),
  );
  const eventCount = async () => (await running.eventStore.readAll('0', 1_000_000)).length;
  try {
    const issuer = await discover(base);
    return {
      base,
      adminBase: running.adminUrl,
      issuer,
      eventCount,
      async settledEventCount() {
        let last = await eventCount();
        for (let stable = 0, i = 0; stable < 3 && i < 200; i++) {
          await new Promise((r) => setTimeout(r, 25));
          const now = await eventCount();
          stable = now === last ? stable + 1 : 0;
          last = now;
        }
        return last;
      },
      async stop() {
        await running.app.close();
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(join(seedFile, '..'), { recursive: true, force: true });
      },
    };
  } catch (err) {
    await running.app.close();
    throw err;
  }
}
