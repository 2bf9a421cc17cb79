import type { KafkaConfig, logLevel } from 'kafkajs';
import type { BusLogger } from '../logger';
import type { TopicSpec } from '../topics';

export interface KafkaEventBusOptions {
  readonly brokers: string[];
  readonly clientId: string;
  /** Main topics to serve and create; each also gets a `.dlq`. Default: ALL_TOPICS × 3 partitions. */
  readonly topics?: readonly TopicSpec[];
  /** Default 1: a dead-letter topic is read in failure order. */
  readonly dlqPartitions?: number;
  /** Default -1 = the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  /**
   * Backoff of the background (re)connect loop, also used for kafkajs' own
   * request retries and consumer restarts. Default { initialMs: 250, maxMs: 10_000, retries: 5 }.
   */
  readonly connectionRetry?: {
    readonly initialMs: number;
    readonly maxMs: number;
    readonly retries?: number;
  };
  /** Default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** How often a connected bus checks the broker so ready() turns false without traffic. Default 5000 ms. */
  readonly healthCheckIntervalMs?: number;
  /**
   * Consumer tuning (the services take the first three from KAFKA_SESSION_TIMEOUT_MS,
   * KAFKA_HEARTBEAT_INTERVAL_MS and KAFKA_REBALANCE_TIMEOUT_MS, whose documented
   * defaults these repeat); tests shrink them so rebalances take milliseconds.
   */
  readonly consumer?: {
    /**
     * Default 10 000 ms: how long a crashed member keeps its partitions. Shorter
     * = faster takeover after a crash, but more spurious rebalances when a pause
     * (GC, a blocked event loop) outlasts it.
     */
    readonly sessionTimeout?: number;
    /** Default 3000 ms; at most a third of sessionTimeout. */
    readonly heartbeatInterval?: number;
    /** Default 60 000 ms: how long a rebalance waits for live members to rejoin. */
    readonly rebalanceTimeout?: number;
    readonly maxWaitTimeInMs?: number;
    /** Partitions handled in parallel per subscription (each stays sequential). Default 3. */
    readonly partitionsConsumedConcurrently?: number;
  };
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaConfig['sasl'];
  /** kafkajs entries at or above this level reach `logger`. Default ERROR: kafkajs is chatty. */
  readonly logLevel?: logLevel;
  readonly logger?: BusLogger;
}

export interface ResolvedConsumerConfig {
  readonly sessionTimeout: number;
  readonly heartbeatInterval: number;
  readonly rebalanceTimeout: number;
  readonly maxWaitTimeInMs: number;
  readonly partitionsConsumedConcurrently: number;
}

export function consumerConfig(opts: KafkaEventBusOptions): ResolvedConsumerConfig {
  const c = opts.consumer ?? {};
  return {
    sessionTimeout: c.sessionTimeout ?? 10_000,
    heartbeatInterval: c.heartbeatInterval ?? 3_000,
    rebalanceTimeout: c.rebalanceTimeout ?? 60_000,
    maxWaitTimeInMs: c.maxWaitTimeInMs ?? 500,
    partitionsConsumedConcurrently: c.partitionsConsumedConcurrently ?? 3,
  };
}

export function connectionRetry(opts: KafkaEventBusOptions) {
  const r = opts.connectionRetry;
  return { initialMs: r?.initialMs ?? 250, maxMs: r?.maxMs ?? 10_000, retries: r?.retries ?? 5 };
}
