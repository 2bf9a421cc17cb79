import {
  Inject,
  Module,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { EVENT_BUS, KafkaEventBus, kafkaSecurityConfig, type EventBus } from '@idp/bus';
import type { OutboxRelay } from '@idp/eventstore';
import { kafkaSecurity } from '../bootstrap/infra-connections';
import { OUTBOX_RELAY } from '../infra/infra.module';
import { KafkaConsumerLag, untrackConsumerGroups } from './consumer-lag';
import { MetricsController } from './metrics.controller';
import { reportScrapeSource, resetScrapeSources } from './scrape-gauges';

/**
 * GET /metrics, and the scrape-time sources every process has: the outbox
 * backlog where this process relays one, the consumer lag over Kafka. The
 * in-process bus of the embedded mode has no offsets, so it reports no lag.
 */
@Module({ controllers: [MetricsController] })
export class MetricsModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Optional() @Inject(OUTBOX_RELAY) private readonly relay?: OutboxRelay,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(CONFIG) private readonly config?: Config,
  ) {}

  onModuleInit(): void {
    if (this.relay) reportScrapeSource('outbox', this.relay);
    if (this.bus instanceof KafkaEventBus && this.config)
      reportScrapeSource(
        'consumer_lag',
        new KafkaConsumerLag({
          brokers: this.config.KAFKA_BROKERS,
          clientId: `${this.config.KAFKA_CLIENT_ID}-metrics`,
          ...kafkaSecurityConfig(kafkaSecurity(this.config)),
        }),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    untrackConsumerGroups();
    await resetScrapeSources();
  }
}
