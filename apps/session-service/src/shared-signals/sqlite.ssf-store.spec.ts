import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSsfStore } from './sql/create-ssf-store';
import { ssfStoreContract } from './ssf-store.contract';

ssfStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssf-store-'));
  const store = await createSsfStore({ driver: 'sqlite', file: join(dir, 'ssf.sqlite') });
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
