import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '@idp/nest-kit';
import type { SetAttemptOutcome } from './set-dispatcher';
import type { SsfStore } from './ssf-store.port';

function once<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Shared Signals delivery metrics, labelled per receiver (client_id) like back-channel logout's. */
export const ssfMetrics = {
  delivered: once(
    'idp_ssf_set_delivered_total',
    () =>
      new Counter({
        name: 'idp_ssf_set_delivered_total',
        help: 'SETs a receiver accepted (push: 202; poll: acknowledged)',
        labelNames: ['client_id'],
        registers: [registry],
      }),
  ),
  failed: once(
    'idp_ssf_set_failed_attempts_total',
    () =>
      new Counter({
        name: 'idp_ssf_set_failed_attempts_total',
        help: 'SET push attempts that failed and will be retried',
        labelNames: ['client_id'],
        registers: [registry],
      }),
  ),
  deadLettered: once(
    'idp_ssf_set_dead_lettered_total',
    () =>
      new Counter({
        name: 'idp_ssf_set_dead_lettered_total',
        help: "SET deliveries dead-lettered (see the admin API's SSF dead letters)",
        labelNames: ['client_id'],
        registers: [registry],
      }),
  ),
  latency: once(
    'idp_ssf_set_delivery_seconds',
    () =>
      new Histogram({
        name: 'idp_ssf_set_delivery_seconds',
        help: 'Time from queueing a SET to the receiver accepting it (push)',
        labelNames: ['client_id'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 1800, 7200],
        registers: [registry],
      }),
  ),
};

/** The queue's pending and dead-lettered rows, read when Prometheus scrapes. */
export function reportSsfQueue(store: Pick<SsfStore, 'counts'>): void {
  const name = 'idp_ssf_queue_depth';
  if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
  new Gauge({
    name,
    help: 'SET deliveries by state: pending (queued, held by a paused stream, or waiting for a poll) and dead_lettered',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { pending, deadLettered } = await store.counts();
      this.set({ state: 'pending' }, pending);
      this.set({ state: 'dead_lettered' }, deadLettered);
    },
  });
}

/** Every push outcome into the metrics. */
export function observeSetAttempts(outcomes: readonly SetAttemptOutcome[], now: number): void {
  for (const { delivery, transition } of outcomes) {
    const labels = { client_id: delivery.clientId };
    if (transition.kind === 'delivered') {
      ssfMetrics.delivered.inc(labels);
      ssfMetrics.latency.observe(labels, (now - delivery.createdAt) / 1000);
    } else if (transition.kind === 'retry') ssfMetrics.failed.inc(labels);
    else ssfMetrics.deadLettered.inc(labels);
  }
}
