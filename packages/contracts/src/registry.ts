import { EventValidationError, formatIssues } from './define-event';
import { envelopeSchema, type EventEnvelope } from './envelope';
import { clientEvents, type ClientEvent } from './events/client.events';
import { deviceEvents, type DeviceEvent } from './events/device.events';
import { grantEvents, type GrantEvent } from './events/grant.events';
import { keyEvents, type KeyEvent } from './events/key.events';
import { loginThrottleEvents, type LoginThrottleEvent } from './events/login-throttle.events';
import { resourceEvents, type ResourceEvent } from './events/resource.events';
import { sessionEvents, type SessionEvent } from './events/session.events';
import { ssfEvents, type SsfEvent } from './events/ssf.events';
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
  | LoginThrottleEvent
  | DeviceEvent
  | SsfEvent;

const definitions = [
  ...grantEvents,
  ...sessionEvents,
  ...clientEvents,
  ...keyEvents,
  ...userEvents,
  ...usernameEvents,
  ...resourceEvents,
  ...loginThrottleEvents,
  ...deviceEvents,
  ...ssfEvents,
];
const byTypeAndVersion = new Map(definitions.map((d) => [`${d.type}@${d.version}`, d]));

export const KNOWN_EVENT_TYPES: readonly string[] = [...new Set(definitions.map((d) => d.type))];

/**
 * Validates any envelope against the schema registered for its type and
 * version. Producers call it before publishing and consumers before handling;
 * whatever fails goes to the dead-letter topic.
 *
 * A registered event's schema checks the whole envelope too, so the common
 * case is one pass: the definition is looked up from the raw `type` and
 * `version`, and the envelope alone is checked only to say what is wrong
 * (ADR 0025: the envelope's checks were made twice per call, and every event
 * is parsed on append, on publish and by each consuming group).
 */
export function parseEvent(raw: unknown): DomainEvent {
  const def = definitionOf(raw);
  if (def) {
    try {
      return def.parse(raw) as DomainEvent;
    } catch (e) {
      throwIfMalformedEnvelope(raw);
      throw e;
    }
  }
  throwIfMalformedEnvelope(raw);
  const { type, version } = raw as EventEnvelope;
  throw new EventValidationError(`unknown event ${type} v${version}`, [
    `type: no schema registered for ${type}@${version}`,
  ]);
}

function definitionOf(raw: unknown): (typeof definitions)[number] | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { type, version } = raw as { type?: unknown; version?: unknown };
  if (typeof type !== 'string' || typeof version !== 'number') return undefined;
  return byTypeAndVersion.get(`${type}@${version}`);
}

function throwIfMalformedEnvelope(raw: unknown): void {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    throw new EventValidationError('malformed envelope', formatIssues(envelope.error));
  }
}

/** For buses and stores that carry any envelope without knowing the domain. */
export function isKnownEvent(envelope: EventEnvelope): envelope is DomainEvent {
  return byTypeAndVersion.has(`${envelope.type}@${envelope.version}`);
}
