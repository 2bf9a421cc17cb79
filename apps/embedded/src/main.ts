import './compile-cache';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { exitOnShutdownSignals, reportStartupFailure, startTracing } from '@idp/nest-kit';
import { loadConfig } from '@idp/config';
import { startupBanner, summarizeSeed } from './banner';
import { startEmbedded } from './embedded';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('embedded', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3000', ADMIN_PORT: '9100' });
  const { url, adminUrl, dataDir, shutdown } = await startEmbedded(config);
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
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
