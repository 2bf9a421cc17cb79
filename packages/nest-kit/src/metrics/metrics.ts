import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per process: in the embedded mode the four services share it
 * and their metrics differ by the `service` label.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** The registered metric of that name, or a new one (a module loaded twice registers once). */
export function once<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

let dependencySource: (() => Promise<unknown>) | undefined;

/** The process' health registry: a scrape runs its checks, so the gauge is never stale. */
export function reportDependenciesFrom(source: () => Promise<unknown>): void {
  dependencySource = source;
}

export const metrics = {
  outboxPublished: once(
    'idp_outbox_published_total',
    () =>
      new Counter({
        name: 'idp_outbox_published_total',
        help: 'Outbox rows published to the bus',
        labelNames: ['service'],
        registers: [registry],
      }),
  ),
  outboxPublishFailures: once(
    'idp_outbox_publish_failures_total',
    () =>
      new Counter({
        name: 'idp_outbox_publish_failures_total',
        help: 'Failed outbox publish attempts',
        labelNames: ['service'],
        registers: [registry],
      }),
  ),
  eventsConsumed: once(
    'idp_events_consumed_total',
    () =>
      new Counter({
        name: 'idp_events_consumed_total',
        help: 'Events handled by consumers',
        labelNames: ['group', 'type', 'outcome'],
        registers: [registry],
      }),
  ),
  dependencyUp: once(
    'idp_dependency_up',
    () =>
      new Gauge({
        name: 'idp_dependency_up',
        help: 'Whether a dependency answers (1) or not (0); required="true" ones fail readiness',
        labelNames: ['dependency', 'required'],
        registers: [registry],
        async collect() {
          await dependencySource?.();
        },
      }),
  ),
  eventHandlerSeconds: once(
    'idp_event_handler_seconds',
    () =>
      new Histogram({
        name: 'idp_event_handler_seconds',
        help: 'Event handler latency',
        labelNames: ['group'],
        buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
        registers: [registry],
      }),
  ),
};
