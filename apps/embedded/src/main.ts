import 'reflect-metadata';
import { loadConfig } from '@idp/config';
import { startEmbedded } from './embedded';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { PORT: '3000' });
  const { url, dataDir } = await startEmbedded(config);
  console.log(`idp (embedded mode) listening on ${url} — data in ${dataDir}`);
}

main().catch((err: unknown) => {
  console.error(`embedded mode failed to start: ${(err as Error).message}`);
  process.exit(1);
});
