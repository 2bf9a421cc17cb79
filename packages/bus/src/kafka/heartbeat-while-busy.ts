/**
 * kafkajs only heartbeats between batches or when asked; a slow handler or a
 * retry backoff would outlive the session. The returned signal aborts on close
 * or when a heartbeat fails (rebalance), which ends pending retries.
 */
export function heartbeatWhileBusy(
  heartbeat: () => Promise<void>,
  intervalMs: number,
  stopping: AbortSignal,
) {
  const failed = new AbortController();
  let error: unknown;
  const timer = setInterval(() => {
    heartbeat().catch((e: unknown) => {
      error ??= e;
      failed.abort();
    });
  }, intervalMs);
  return {
    signal: AbortSignal.any([stopping, failed.signal]),
    error: () => error,
    stop: () => clearInterval(timer),
  };
}
