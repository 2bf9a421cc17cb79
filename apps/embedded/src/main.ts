import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnShutdownSignals, reportStartupFailure } from '@idp/nest-kit';
import { loadConfig } from '@idp/config';
import { startupBanner, summarizeSeed } from './banner';
import { startEmbedded } from './embedded';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { PORT: '3000', ADMIN_PORT: '9100' });
  const { url, adminUrl, dataDir, shutdown } = await startEmbedded(config);
  exitOnShutdownSignals(shutdown, { log: new Logger('embedded') });
  console.log(
    startupBanner({
      issuer: config.ISSUER,
      url,
      adminUrl,
      dataDir,
      seed: summarizeSeed(config.SEED_FILE),
    }),
  );
}

main().catch((err: unknown) => {
  reportStartupFailure('embedded', err);
  process.exit(1);
});
