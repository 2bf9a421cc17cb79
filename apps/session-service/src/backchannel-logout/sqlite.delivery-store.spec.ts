import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveryStoreContract } from './delivery-store.contract';
import type { DeliveryStore } from './delivery-store.port';
import { createDeliveryStore } from './sql/create-delivery-store';

deliveryStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bcl-store-'));
  const file = join(dir, 'backchannel.sqlite');
  const opened: DeliveryStore[] = [await createDeliveryStore({ driver: 'sqlite', file })];
  return {
    store: opened[0]!,
    reopen: async () => {
      await opened[opened.length - 1]!.close();
      const again = await createDeliveryStore({ driver: 'sqlite', file });
      opened.push(again);
      return again;
    },
    close: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
