import { Counter } from 'prom-client';
import { systemClock } from '@idp/contracts';
import { once, registry } from './metrics';

/*
 * Gauges read from storage when Prometheus scrapes (custom prom-client metrics),
 * so a value is never older than the scrape. Each source gets a deadline:
 * a dependency that does not answer leaves its gauges without samples for
 * that scrape (and counts in idp_metrics_source_failures_total) instead of
 * holding the scrape, and so every other metric, hostage.
 */

/** How long one source may take before the scrape goes on without it. */
export const SCRAPE_SOURCE_TIMEOUT_MS = 2_000;

export type ScrapeSourceName = 'outbox' | 'consumer_lag' | 'backchannel' | 'signing_keys';

const sourceFailures = once(
  'idp_metrics_source_failures_total',
  () =>
    new Counter({
      name: 'idp_metrics_source_failures_total',
      help: 'Scrapes during which a scrape-time source failed or exceeded its deadline',
      labelNames: ['source'],
      registers: [registry],
    }),
);

// Every source's series exists from the start at 0: an alert on increase() sees the first failure.
for (const source of ['outbox', 'consumer_lag', 'backchannel', 'signing_keys'])
  sourceFailures.inc({ source }, 0);

export interface OutboxBacklogSource {
  backlog(): Promise<{ readonly count: number; readonly oldestCreatedAt: Date | undefined }>;
}
export interface ConsumerLagSource {
  lag(): Promise<readonly { group: string; topic: string; partition: number; lag: number }[]>;
  close?(): Promise<void>;
}
export interface BackchannelQueueSource {
  counts(): Promise<{ readonly pending: number; readonly deadLettered: number }>;
}
export interface SigningKeySource {
  /** Seconds since each algorithm's active key was activated. */
  activeKeyAges(nowSeconds: number): Promise<readonly { alg: string; ageSeconds: number }[]>;
}

interface Sources {
  outbox?: OutboxBacklogSource;
  consumer_lag?: ConsumerLagSource;
  backchannel?: BackchannelQueueSource;
  signing_keys?: SigningKeySource;
}

/** What this process can report; the composition root and the modules register theirs. */
const sources: Sources = {};
let timeoutMs = SCRAPE_SOURCE_TIMEOUT_MS;

export function reportScrapeSource<K extends ScrapeSourceName>(name: K, source: Sources[K]): void {
  sources[name] = source;
}

/** Forgets every source (a test, or an app closing), closing those that hold a connection. */
export async function resetScrapeSources(deadlineMs = SCRAPE_SOURCE_TIMEOUT_MS): Promise<void> {
  const lag = sources.consumer_lag;
  for (const name of Object.keys(sources) as ScrapeSourceName[]) delete sources[name];
  timeoutMs = deadlineMs;
  await lag?.close?.();
}

async function withDeadline<T>(
  name: ScrapeSourceName,
  read: () => Promise<T>,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([read(), deadline]);
    if (result !== 'timeout') return result;
  } catch {
    // Counted below: the scrape goes on without this source.
  } finally {
    clearTimeout(timer);
  }
  sourceFailures.inc({ source: name });
  return undefined;
}

type GaugeSample = { readonly labels: Readonly<Record<string, string>>; readonly value: number };

/**
 * A gauge whose samples are whatever `read` returns at scrape time: none
 * when its source is missing or failed (prom-client's own unlabelled gauge
 * would show 0, which reads as "all clear" while the database is down).
 */
class ScrapeGauge {
  readonly type = 'gauge';
  readonly aggregator = 'omit';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Promise<readonly GaugeSample[]>,
  ) {
    registry.registerMetric(this as never);
  }

  async get() {
    const values = await this.read();
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  reset(): void {
    // Nothing kept between scrapes.
  }
}

function gauge(
  name: string,
  help: string,
  read: () => Promise<readonly GaugeSample[]>,
): ScrapeGauge {
  return once(name, () => new ScrapeGauge(name, help, read));
}

const NO_LABELS = {};

export const scrapeGauges = {
  outboxBacklog: gauge(
    'idp_outbox_backlog',
    'Outbox rows not yet published to the bus',
    async () => {
      const backlog = await readOutbox();
      return backlog === undefined ? [] : [{ labels: NO_LABELS, value: backlog.count }];
    },
  ),
  outboxOldestAge: gauge(
    'idp_outbox_oldest_unpublished_age_seconds',
    'Age of the oldest outbox row not yet published (0 when none is pending)',
    async () => {
      const backlog = await readOutbox();
      if (backlog === undefined) return [];
      const oldest = backlog.oldestCreatedAt;
      const age = oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest.getTime()) / 1000);
      return [{ labels: NO_LABELS, value: age }];
    },
  ),
  consumerLag: gauge(
    'idp_consumer_lag',
    'Messages behind the high watermark, per consumer group and partition (Kafka only)',
    async () => {
      const source = sources.consumer_lag;
      const lags = source && (await withDeadline('consumer_lag', () => source.lag()));
      return (lags ?? []).map((l) => ({
        labels: { group: l.group, topic: l.topic, partition: String(l.partition) },
        value: l.lag,
      }));
    },
  ),
  backchannelQueueDepth: gauge(
    'idp_backchannel_queue_depth',
    'Back-channel logout deliveries pending (due or waiting for a retry)',
    async () => {
      const counts = await readBackchannel();
      return counts === undefined ? [] : [{ labels: NO_LABELS, value: counts.pending }];
    },
  ),
  backchannelDeadLetters: gauge(
    'idp_backchannel_dead_letters',
    'Back-channel logout deliveries that ran out of attempts and wait for an operator',
    async () => {
      const counts = await readBackchannel();
      return counts === undefined ? [] : [{ labels: NO_LABELS, value: counts.deadLettered }];
    },
  ),
  signingKeyAge: gauge(
    'idp_signing_key_age_seconds',
    'Seconds since the active signing key of each algorithm was activated',
    async () => {
      const source = sources.signing_keys;
      // Process-wide gauges, no DI here: the system clock (key ages are wall-clock facts).
      const now = systemClock.nowSeconds();
      const ages = source && (await withDeadline('signing_keys', () => source.activeKeyAges(now)));
      return (ages ?? []).map((a) => ({ labels: { alg: a.alg }, value: a.ageSeconds }));
    },
  ),
};

let backchannelRead:
  Promise<Awaited<ReturnType<BackchannelQueueSource['counts']>> | undefined> | undefined;
function readBackchannel() {
  const source = sources.backchannel;
  if (source === undefined) return Promise.resolve(undefined);
  backchannelRead ??= withDeadline('backchannel', () => source.counts()).finally(() => {
    backchannelRead = undefined;
  });
  return backchannelRead;
}

/*
 * The two outbox gauges read one query: a scrape asks every metric at once,
 * so the second gauge joins the read the first started (shared only while
 * it is in flight: the next scrape reads again).
 */
let outboxRead:
  Promise<Awaited<ReturnType<OutboxBacklogSource['backlog']>> | undefined> | undefined;
function readOutbox() {
  const source = sources.outbox;
  if (source === undefined) return Promise.resolve(undefined);
  outboxRead ??= withDeadline('outbox', () => source.backlog()).finally(() => {
    outboxRead = undefined;
  });
  return outboxRead;
}
