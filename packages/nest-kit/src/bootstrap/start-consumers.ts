import type { INestMicroservice, Logger } from '@nestjs/common';

/**
 * Starts the event consumers (EventBusServer) and settles once every group
 * has joined. It never rejects: a group that cannot join is retried inside
 * EventBusServer, and anything else is logged, because a consumer must not
 * take the process (and so its serving) down with it.
 */
export function startConsumers(consumers: INestMicroservice, log: Logger): Promise<void> {
  const started = Date.now();
  return consumers.listen().then(
    () => log.log(`event consumers joined in ${Date.now() - started} ms`),
    (err: unknown) => log.error(`event consumers did not start: ${(err as Error).message}`),
  );
}
