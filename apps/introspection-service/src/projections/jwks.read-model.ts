import type { KeyEvent } from '@idp/contracts';

/** Public keys as verifiers need them. Never holds private material. */
export interface JwksReadModel {
  /** Stream version of the last key-ring event applied: makes redelivery a no-op. */
  readonly version: number;
  readonly keys: Readonly<
    Record<
      string,
      {
        jwk: Record<string, unknown>;
        status: 'generated' | 'active' | 'retired';
        publishUntil?: number;
      }
    >
  >;
}

export const emptyJwks = (): JwksReadModel => ({ version: 0, keys: {} });

/** Pure evolve: the live consumer and the replay both go through here. */
export function evolveJwks(model: JwksReadModel, event: KeyEvent): JwksReadModel {
  if (event.streamVersion <= model.version) return model; // already applied (at-least-once delivery)
  const keys = { ...model.keys };
  switch (event.type) {
    case 'key.generated':
      keys[event.data.kid] = { jwk: event.data.publicJwk, status: 'generated' };
      break;
    case 'key.activated': {
      const k = keys[event.data.kid];
      if (k) keys[event.data.kid] = { ...k, status: 'active' };
      break;
    }
    case 'key.retired': {
      const k = keys[event.data.kid];
      if (k)
        keys[event.data.kid] = { ...k, status: 'retired', publishUntil: event.data.publishUntil };
      break;
    }
  }
  return { version: event.streamVersion, keys };
}

/** The keys a verifier accepts at `now` (seconds). */
export function verificationKeys(model: JwksReadModel, now: number): Record<string, unknown>[] {
  return Object.values(model.keys)
    .filter((k) => k.status === 'active' || (k.status === 'retired' && (k.publishUntil ?? 0) > now))
    .map((k) => k.jwk);
}
