import { EventValidationError, formatIssues } from './define-event';
import { envelopeSchema, type EventEnvelope } from './envelope';
import { clientEvents, type ClientEvent } from './events/client.events';
import { grantEvents, type GrantEvent } from './events/grant.events';
import { keyEvents, type KeyEvent } from './events/key.events';
import { loginThrottleEvents, type LoginThrottleEvent } from './events/login-throttle.events';
import { resourceEvents, type ResourceEvent } from './events/resource.events';
import { sessionEvents, type SessionEvent } from './events/session.events';
import { userEvents, type UserEvent } from './events/user.events';
import { usernameEvents, type UsernameEvent } from './events/username.events';

export type DomainEvent =
  | GrantEvent
  | SessionEvent
  | ClientEvent
  | KeyEvent
  | UserEvent
  | UsernameEvent
  | ResourceEvent
  | LoginThrottleEvent;

const definitions = [
  ...grantEvents,
  ...sessionEvents,
  ...clientEvents,
  ...keyEvents,
  ...userEvents,
  ...usernameEvents,
  ...resourceEvents,
  ...loginThrottleEvents,
];
const byTypeAndVersion = new Map(definitions.map((d) => [`${d.type}@${d.version}`, d]));

export const KNOWN_EVENT_TYPES: readonly string[] = [...new Set(definitions.map((d) => d.type))];

/**
 * Validates any envelope against the schema registered for its type and
 * version. Producers call it before publishing and consumers before handling;
 * whatever fails goes to the dead-letter topic.
 */
export function parseEvent(raw: unknown): DomainEvent {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    throw new EventValidationError('malformed envelope', formatIssues(envelope.error));
  }
  const def = byTypeAndVersion.get(`${envelope.data.type}@${envelope.data.version}`);
  if (!def) {
    throw new EventValidationError(
      `unknown event ${envelope.data.type} v${envelope.data.version}`,
      [`type: no schema registered for ${envelope.data.type}@${envelope.data.version}`],
    );
  }
  return def.parse(raw) as DomainEvent;
}

/** For buses and stores that carry any envelope without knowing the domain. */
export function isKnownEvent(envelope: EventEnvelope): envelope is DomainEvent {
  return byTypeAndVersion.has(`${envelope.type}@${envelope.version}`);
}
