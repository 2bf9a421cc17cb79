import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { metricsUrl } from '../support/metrics';

jest.setTimeout(60_000);

/** The embedded mode: one registry for the four services, no Kafka offsets to report. */
describe('metrics in the embedded mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-embedded-metrics-'));
  let running: Awaited<ReturnType<typeof startEmbedded>> | undefined;

  beforeAll(async () => {
    running = await startEmbedded(
      loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', OUTBOX_SWEEP_MS: '100' }),
    );
  });
  afterAll(async () => {
    await running?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the outbox, the delivery queue and the key ring at scrape; reports no consumer lag', async () => {
    const text = await (await fetch(metricsUrl(running!.adminUrl))).text();
    expect(text).toMatch(/^idp_outbox_backlog \d+$/m);
    expect(text).toMatch(/^idp_outbox_oldest_unpublished_age_seconds [\d.e+-]+$/m);
    expect(text).toMatch(/^idp_backchannel_queue_depth 0$/m);
    expect(text).toMatch(/^idp_backchannel_dead_letters 0$/m);
    expect(text).toMatch(/^idp_signing_key_age_seconds\{alg="ES256"\} \d+$/m);
    // The in-process bus has no offsets: the family is declared, without samples.
    expect(text).toMatch(/^# TYPE idp_consumer_lag gauge$/m);
    expect(text).not.toMatch(/^idp_consumer_lag\{/m);
    expect(text).toMatch(/^idp_metrics_source_failures_total\{source="outbox"\} 0$/m);
  });
});
