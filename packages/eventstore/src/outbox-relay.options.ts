import type { BackoffOptions } from '@idp/contracts';

export type { BackoffOptions } from '@idp/contracts';

/** Metric hooks; a throwing hook is ignored, it never stops the relay. */
export interface OutboxRelayHooks {
  onPublished?(topic: string, count: number): void;
  /** A publish or database failure; the relay backs off and retries. */
  onFailure?(error: unknown, consecutiveFailures: number): void;
  onPurged?(count: number): void;
}

export interface OutboxRelayOptions {
  /** How often to look for rows that no `notify()` announced; default 500 ms. */
  readonly sweepIntervalMs?: number;
  /** Rows per batch; default 100. */
  readonly batchSize?: number;
  /** Default 100 ms doubling up to 30 s. */
  readonly backoff?: Partial<BackoffOptions>;
  /** Sent rows are kept this long for troubleshooting; default 24 h. */
  readonly retentionMs?: number;
  /** How often sent rows are purged; default 60 s. */
  readonly purgeIntervalMs?: number;
  readonly hooks?: OutboxRelayHooks;
}

export interface OutboxRelayStats {
  readonly published: number;
  readonly failures: number;
  readonly consecutiveFailures: number;
  readonly batches: number;
  readonly purged: number;
}

/** Options with every default filled in. */
export interface RelaySettings {
  readonly sweepIntervalMs: number;
  readonly batchSize: number;
  readonly backoff: BackoffOptions;
  readonly retentionMs: number;
  readonly purgeIntervalMs: number;
  readonly hooks: OutboxRelayHooks;
}

export function relaySettings(options: OutboxRelayOptions): RelaySettings {
  return {
    sweepIntervalMs: options.sweepIntervalMs ?? 500,
    batchSize: options.batchSize ?? 100,
    backoff: {
      initialMs: options.backoff?.initialMs ?? 100,
      maxMs: options.backoff?.maxMs ?? 30_000,
    },
    retentionMs: options.retentionMs ?? 24 * 3_600_000,
    purgeIntervalMs: options.purgeIntervalMs ?? 60_000,
    hooks: options.hooks ?? {},
  };
}
