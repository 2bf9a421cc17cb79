import { Counter, Histogram } from 'prom-client';
import { registry } from '@idp/nest-kit';

function once<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Back-channel logout delivery metrics, labelled per RP (client_id). */
export const backchannelMetrics = {
  delivered: once(
    'idp_backchannel_logout_delivered_total',
    () =>
      new Counter({
        name: 'idp_backchannel_logout_delivered_total',
        help: 'Back-channel logout tokens an RP accepted (2xx)',
        labelNames: ['client_id'],
        registers: [registry],
      }),
  ),
  retried: once(
    'idp_backchannel_logout_retried_total',
    () =>
      new Counter({
        name: 'idp_backchannel_logout_retried_total',
        help: 'Failed back-channel logout attempts that will be retried',
        labelNames: ['client_id'],
        registers: [registry],
      }),
  ),
  deadLettered: once(
    'idp_backchannel_logout_dead_lettered_total',
    () =>
      new Counter({
        name: 'idp_backchannel_logout_dead_lettered_total',
        help: 'Back-channel logout deliveries that ran out of attempts (see GET /admin/backchannel/dead-letters)',
        labelNames: ['client_id'],
        registers: [registry],
      }),
  ),
  latency: once(
    'idp_backchannel_logout_delivery_seconds',
    () =>
      new Histogram({
        name: 'idp_backchannel_logout_delivery_seconds',
        help: 'Time from scheduling a back-channel logout delivery (session end) to the RP accepting it',
        labelNames: ['client_id'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 1800, 7200],
        registers: [registry],
      }),
  ),
};
