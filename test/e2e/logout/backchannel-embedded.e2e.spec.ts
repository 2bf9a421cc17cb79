import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { freePort } from '../support/service-process';
import {
  adminFetch,
  ADMIN_TOKEN,
  LogoutReceivers,
  sessionJoinedBy,
  writeBackchannelSeed,
} from './backchannel.support';
import { SESSION_RPC, TOKEN_RPC, type SessionRpcClient, type TokenRpcClient } from '@idp/contracts';

jest.setTimeout(120_000);

/**
 * The embedded mode delivers too: SQLite delivery queue, in-process bus and
 * RPC, one process. Two RPs, one of them down at first; both get a valid
 * token once it is up, and nothing is dead-lettered.
 */
describe('back-channel logout delivery (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-bcl-embedded-'));
  let base = '';
  let adminBase = '';
  const rps = new LogoutReceivers(() => base);
  let close: () => Promise<void> = async () => undefined;
  let rpc: { session: SessionRpcClient; tokens: TokenRpcClient };

  beforeAll(async () => {
    await rps.listen();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const seed = writeBackchannelSeed(
      ['emb-a', 'emb-b'].map((clientId) => ({ clientId, uri: rps.uriOf(clientId) })),
    );
    const { app, adminUrl } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: base,
        LOG_LEVEL: 'warn',
        SEED_FILE: seed,
        ADMIN_TOKEN,
        BACKCHANNEL_BACKOFF_BASE_MS: '100',
        BACKCHANNEL_BACKOFF_CAP_MS: '200',
      }),
    );
    adminBase = adminUrl;
    rpc = { session: app.get(SESSION_RPC), tokens: app.get(TOKEN_RPC) };
    close = () => app.close();
  });

  afterAll(async () => {
    await close();
    await rps.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a valid logout token to every RP of the ended session, retrying the one that was down', async () => {
    rps.set('emb-b', 'fail503');
    const sid = await sessionJoinedBy(rpc, ['emb-a', 'emb-b']);
    await rpc.session.endSession({ sid, reason: 'admin' });
    await rps.waitDelivered(['emb-a']);
    await new Promise((r) => setTimeout(r, 300));
    expect(rps.deliveredTo('emb-b')).toHaveLength(0);
    rps.set('emb-b', 'ok');
    await rps.waitDelivered(['emb-b']);
    expect(rps.deliveredTo('emb-a')[0]!.sid).toBe(sid);
    expect(rps.deliveredTo('emb-b')[0]!.sid).toBe(sid);
    const res = await adminFetch(adminBase, 'GET', '/backchannel/dead-letters');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deliveries: [] });
  });
});
