import { EventPattern } from '@nestjs/microservices';
import type { Topic } from '@idp/contracts';

/** What an @OnEvent pattern holds: the consumer group and the logical topic. */
export interface EventSubscriptionPattern {
  readonly group: string;
  readonly topic: Topic;
}

/**
 * Marks a controller method as a consumer of a topic within a consumer
 * group. The group is part of the pattern so that, in the embedded mode where
 * every service's controllers live in one process, each service still gets
 * its own group with its own offsets, retries and dead letters, exactly as
 * it would over Kafka.
 */
export function OnEvent(group: string, topic: Topic): MethodDecorator {
  const pattern: EventSubscriptionPattern = { group, topic };
  return EventPattern(pattern);
}
