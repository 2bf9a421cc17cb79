import { lagOf } from './consumer-lag';
import { registry } from './metrics';
import { reportScrapeSource, resetScrapeSources } from './scrape-gauges';

async function values(name: string) {
  return (await registry.getSingleMetric(name)!.get()).values;
}

const failures = async (source: string) =>
  (await values('idp_metrics_source_failures_total')).find((v) => v.labels['source'] === source)
    ?.value ?? 0;

describe('scrape-time gauges', () => {
  afterEach(() => resetScrapeSources());

  it('have no samples while no source is registered (the embedded bus has no lag)', async () => {
    await resetScrapeSources();
    for (const name of [
      'idp_outbox_backlog',
      'idp_outbox_oldest_unpublished_age_seconds',
      'idp_consumer_lag',
      'idp_backchannel_queue_depth',
      'idp_backchannel_dead_letters',
      'idp_signing_key_age_seconds',
    ])
      expect({ [name]: await values(name) }).toEqual({ [name]: [] });
  });

  it('read the outbox at every scrape: its backlog and the age of its oldest row', async () => {
    let backlog = { count: 3, oldestCreatedAt: new Date(Date.now() - 90_000) as Date | undefined };
    reportScrapeSource('outbox', { backlog: async () => backlog });
    expect((await values('idp_outbox_backlog'))[0]?.value).toBe(3);
    const age = (await values('idp_outbox_oldest_unpublished_age_seconds'))[0]?.value;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(100);
    backlog = { count: 0, oldestCreatedAt: undefined };
    expect((await values('idp_outbox_backlog'))[0]?.value).toBe(0);
    expect((await values('idp_outbox_oldest_unpublished_age_seconds'))[0]?.value).toBe(0);
  });

  it('report consumer lag per group, topic and partition, and only what the source gives', async () => {
    let lags = [
      { group: 'g', topic: 'token', partition: 0, lag: 5 },
      { group: 'g', topic: 'token', partition: 1, lag: 0 },
    ];
    reportScrapeSource('consumer_lag', { lag: async () => lags });
    expect((await values('idp_consumer_lag')).map((v) => [v.labels, v.value])).toEqual([
      [{ group: 'g', topic: 'token', partition: '0' }, 5],
      [{ group: 'g', topic: 'token', partition: '1' }, 0],
    ]);
    lags = [{ group: 'g', topic: 'token', partition: 1, lag: 7 }];
    // A partition that went away leaves no stale series behind.
    expect((await values('idp_consumer_lag')).map((v) => v.value)).toEqual([7]);
  });

  it('report back-channel queue depth and dead letters, and signing-key ages per algorithm', async () => {
    reportScrapeSource('backchannel', { counts: async () => ({ pending: 4, deadLettered: 2 }) });
    reportScrapeSource('signing_keys', {
      activeKeyAges: async (now) => [
        { alg: 'ES256', ageSeconds: now - (now - 60) },
        { alg: 'RS256', ageSeconds: 86_400 },
      ],
    });
    expect((await values('idp_backchannel_queue_depth'))[0]?.value).toBe(4);
    expect((await values('idp_backchannel_dead_letters'))[0]?.value).toBe(2);
    expect(
      (await values('idp_signing_key_age_seconds')).map((v) => [v.labels['alg'], v.value]),
    ).toEqual([
      ['ES256', 60],
      ['RS256', 86_400],
    ]);
  });

  it('drop a failing source for that scrape and count the failure', async () => {
    reportScrapeSource('backchannel', { counts: () => Promise.reject(new Error('db down')) });
    const before = await failures('backchannel');
    const text = await registry.metrics();
    expect(text).not.toMatch(/^idp_backchannel_queue_depth /m);
    // Both gauges share one read, so one failure per scrape.
    expect((await failures('backchannel')) - before).toBe(1);
  });

  it('give up on a source that does not answer within the deadline, without holding the scrape', async () => {
    await resetScrapeSources(50);
    reportScrapeSource('signing_keys', { activeKeyAges: () => new Promise(() => undefined) });
    const before = await failures('signing_keys');
    const started = Date.now();
    expect(await values('idp_signing_key_age_seconds')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await failures('signing_keys')) - before).toBe(1);
  });
});

describe('lagOf', () => {
  it('is the high watermark minus the committed offset, per partition', () => {
    expect(
      lagOf(
        [
          { partition: 0, offset: '10' },
          { partition: 1, offset: '7' },
        ],
        [
          { partition: 0, high: '15', low: '0' },
          { partition: 1, high: '7', low: '0' },
        ],
      ),
    ).toEqual([
      { partition: 0, lag: 5 },
      { partition: 1, lag: 0 },
    ]);
  });

  it('counts from the low watermark where the group never committed (it reads from the beginning)', () => {
    expect(
      lagOf([{ partition: 0, offset: '-1' }], [{ partition: 0, high: '12', low: '2' }]),
    ).toEqual([{ partition: 0, lag: 10 }]);
    expect(lagOf([], [{ partition: 2, high: '3', low: '0' }])).toEqual([{ partition: 2, lag: 3 }]);
  });

  it('is never negative (a watermark read before a commit that moved past it)', () => {
    expect(lagOf([{ partition: 0, offset: '9' }], [{ partition: 0, high: '8', low: '0' }])).toEqual(
      [{ partition: 0, lag: 0 }],
    );
  });
});
