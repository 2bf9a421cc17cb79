import { deadLetterTopic } from '@idp/contracts';
import { CompressionTypes, Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { encodeAll } from './codec';
import type { DeadLetterRecord } from './dead-letter';
import { retryPolicy } from './delivery';
import { BusClosedError, BusNotReadyError } from './errors';
import type {
  BusMessage,
  DeadLetterReader,
  DeadLetterSubscribeOptions,
  EventBus,
  SubscribeOptions,
  Subscription,
} from './event-bus.port';
import { KafkaConnection } from './kafka/connection';
import { connectionRetry, consumerConfig, type KafkaEventBusOptions } from './kafka/kafka-options';
import { KafkaSubscription } from './kafka/kafka-subscription';
import { dropKafkajsNegativeTimeoutWarning } from './kafka/negative-timeout-warning';
import { quietLogCreator } from './kafka/quiet-log-creator';
import { defaultBusLogger, type BusLogger } from './logger';
import { deadLetterProcessor, eventProcessor, type Processor } from './processors';
import { TopicCatalog } from './topics';

/**
 * EventBus over Kafka (kafkajs). Producer: idempotent, acks=all, one request
 * in flight, keyed by stream id, so a stream stays ordered even across
 * retries. Consumers: manual commits after the effect (see KafkaSubscription).
 * A broker outage never throws out of start(); ready() reports it and
 * publish() rejects fast so the outbox keeps its rows.
 */
export class KafkaEventBus implements EventBus, DeadLetterReader {
  private readonly kafka: Kafka;
  private readonly catalog: TopicCatalog;
  private readonly connection: KafkaConnection;
  private readonly logger: BusLogger;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(private readonly opts: KafkaEventBusOptions) {
    this.logger = opts.logger ?? defaultBusLogger;
    this.catalog = new TopicCatalog(opts.topics, opts.dlqPartitions);
    const retry = connectionRetry(opts);
    dropKafkajsNegativeTimeoutWarning();
    this.kafka = new Kafka({
      brokers: opts.brokers,
      clientId: opts.clientId,
      ...(opts.ssl === undefined ? {} : { ssl: opts.ssl }),
      ...(opts.sasl === undefined ? {} : { sasl: opts.sasl }),
      connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      retry: {
        initialRetryTime: retry.initialMs,
        maxRetryTime: retry.maxMs,
        retries: retry.retries,
      },
      logLevel: opts.logLevel ?? logLevel.ERROR,
      logCreator: quietLogCreator(this.logger),
    });
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2, so other clients put a stream in the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded (kafkajs would retry an idempotent producer forever) so publish() settles and the outbox retries.
      retry: {
        initialRetryTime: retry.initialMs,
        maxRetryTime: retry.maxMs,
        retries: retry.retries,
      },
    });
    this.connection = new KafkaConnection(
      this.kafka.admin({ retry: { retries: 1, initialRetryTime: retry.initialMs } }),
      producer,
      {
        topics: this.catalog.specs,
        replicationFactor: opts.replicationFactor ?? -1,
        retry,
        healthCheckIntervalMs: opts.healthCheckIntervalMs ?? 5_000,
      },
      this.logger,
      () => this.subscriptions.forEach((s) => void s.start()),
    );
  }

  async start(): Promise<void> {
    if (this.state === 'closed') throw new BusClosedError();
    if (this.state === 'started') return;
    this.state = 'started';
    await this.connection.start();
  }

  ready(): boolean {
    return this.state === 'started' && this.connection.ready();
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    this.catalog.assertKnown([topic]);
    const encoded = encodeAll(messages);
    if (this.state === 'closed') throw new BusClosedError();
    if (!this.ready()) throw new BusNotReadyError();
    if (encoded.length === 0) return;
    await this.send(topic, encoded);
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const processor = eventProcessor({
      groupId: opts.groupId,
      handler: opts.handler,
      policy: retryPolicy(opts),
      logger: this.logger,
      sendDeadLetter: (letter) => this.sendDeadLetter(letter),
    });
    return this.join(opts.groupId, opts.topics, opts.fromBeginning ?? true, processor);
  }

  async subscribeDeadLetters(opts: DeadLetterSubscribeOptions): Promise<Subscription> {
    const processor = deadLetterProcessor({
      groupId: opts.groupId,
      handler: opts.handler,
      logger: this.logger,
    });
    return this.join(
      opts.groupId,
      opts.topics.map(deadLetterTopic),
      opts.fromBeginning ?? true,
      processor,
    );
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.connection.close();
  }

  private async join(
    groupId: string,
    topics: readonly string[],
    fromBeginning: boolean,
    processor: Processor,
  ) {
    if (this.state === 'closed') throw new BusClosedError();
    this.catalog.assertKnown(topics);
    const retry = connectionRetry(this.opts);
    const sub = new KafkaSubscription(
      {
        kafka: this.kafka,
        admin: this.connection.admin,
        consumer: consumerConfig(this.opts),
        retry,
        logger: this.logger,
        onClosed: (s) => this.subscriptions.delete(s),
      },
      groupId,
      topics,
      fromBeginning,
      processor,
    );
    this.subscriptions.add(sub);
    // Never connected: the first connect starts it. Mid-outage: kafkajs keeps retrying in the background.
    if (this.connection.ready()) await sub.start();
    else if (this.connection.hasConnected()) void sub.start();
    return sub;
  }

  /** Dead letters bypass ready(): the consumer relies on the error to keep the record uncommitted. */
  private sendDeadLetter(letter: DeadLetterRecord): Promise<void> {
    return this.send(letter.topic, [letter]);
  }

  private async send(topic: string, messages: readonly Message[]): Promise<void> {
    try {
      await this.connection.producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: [...messages],
      });
    } catch (e) {
      void this.connection.check();
      throw e;
    }
  }
}
