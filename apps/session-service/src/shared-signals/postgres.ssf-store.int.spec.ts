import { randomBytes } from '@idp/crypto';
import { Client } from 'pg';
import { createSsfStore } from './sql/create-ssf-store';
import { ssfStoreContract } from './ssf-store.contract';

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

ssfStoreContract('PostgreSQL', async () => {
  const schema = `ssf_${randomBytes(4).toString('hex')}`;
  const store = await createSsfStore({ driver: 'postgres', url, schema });
  return {
    store,
    close: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});
