import { randomBytes } from '@idp/crypto';
import { Client } from 'pg';
import { deliveryStoreContract } from './delivery-store.contract';
import type { DeliveryStore } from './delivery-store.port';
import { createDeliveryStore } from './sql/create-delivery-store';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test';

async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

deliveryStoreContract('PostgreSQL', async () => {
  const schema = `bcl_${randomBytes(4).toString('hex')}`;
  const open = () => createDeliveryStore({ driver: 'postgres', url, schema });
  const opened: DeliveryStore[] = [await open()];
  return {
    store: opened[0]!,
    reopen: async () => {
      const again = await open();
      opened.push(again);
      return again;
    },
    close: async () => {
      for (const s of opened) await s.close();
      await dropSchema(schema);
    },
  };
});
