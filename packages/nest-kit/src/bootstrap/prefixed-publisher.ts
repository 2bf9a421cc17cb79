import type { EventBus } from '@idp/bus';
import type { OutboxPublisher } from '@idp/eventstore';

/** The relay publishes to logical topics; this maps them to the deployment's physical names. */
export function prefixedPublisher(bus: EventBus, prefix: string): OutboxPublisher {
  if (!prefix) return bus;
  return { publish: (topic, messages) => bus.publish(prefix + topic, messages) };
}
