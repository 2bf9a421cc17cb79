import {
  SigningKeyActivated,
  SigningKeyGenerated,
  SigningKeyRetired,
  type KeyEvent,
  type PendingEvent,
} from '@idp/contracts';
import {
  assertNever,
  DomainRuleError,
  type CommandMeta,
  type Decider,
  eventMeta,
} from '../decider';

export type Alg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface RingKey {
  readonly kid: string;
  readonly alg: Alg;
  readonly publicJwk: Record<string, unknown>;
  readonly encryptedPrivateJwk: string;
  readonly status: 'generated' | 'active' | 'retired';
  /** Epoch seconds the key became active (how old the signing key is). */
  readonly activatedAt?: number;
  readonly publishUntil?: number;
}

export interface KeyRingState {
  readonly keys: ReadonlyMap<string, RingKey>;
}

/** Key material is generated outside (it is randomness, i.e. I/O) and passed in. */
export interface NewKeyMaterial {
  readonly kid: string;
  readonly alg: Alg;
  readonly publicJwk: Record<string, unknown>;
  readonly encryptedPrivateJwk: string;
}

export type KeyRingCommand =
  | { readonly type: 'AddActiveKey'; readonly key: NewKeyMaterial; readonly meta: CommandMeta }
  | {
      readonly type: 'RotateKey';
      readonly key: NewKeyMaterial;
      /** How long the retired key stays published: the longest lifetime of a token it signed. */
      readonly retiredKeyGraceSeconds: number;
      readonly meta: CommandMeta;
    };

export function activeKey(state: KeyRingState, alg: Alg): RingKey | undefined {
  for (const k of state.keys.values()) if (k.alg === alg && k.status === 'active') return k;
  return undefined;
}

/** Keys a verifier must accept at `now`: active ones and retired ones still in their grace period. */
export function publishedKeys(state: KeyRingState, now: number): RingKey[] {
  return [...state.keys.values()].filter(
    (k) => k.status === 'active' || (k.status === 'retired' && (k.publishUntil ?? 0) > now),
  );
}

function introduce(
  key: NewKeyMaterial,
  meta: CommandMeta,
): PendingEvent<KeyEvent['type'], KeyEvent['data']>[] {
  return [
    SigningKeyGenerated.create({ ...key, createdAt: meta.now }, eventMeta(meta)),
    SigningKeyActivated.create(
      { kid: key.kid, alg: key.alg, activatedAt: meta.now },
      eventMeta(meta),
    ),
  ];
}

function decide(
  command: KeyRingCommand,
  state: KeyRingState,
): PendingEvent<KeyEvent['type'], KeyEvent['data']>[] {
  if (state.keys.has(command.key.kid))
    throw new DomainRuleError('key.duplicate_kid', 'kid already in the ring');
  switch (command.type) {
    case 'AddActiveKey':
      // Idempotent start-up: a concurrent replica may have added one already.
      return activeKey(state, command.key.alg) ? [] : introduce(command.key, command.meta);
    case 'RotateKey': {
      const old = activeKey(state, command.key.alg);
      const events = introduce(command.key, command.meta);
      if (!old) return events;
      const retired = SigningKeyRetired.create(
        {
          kid: old.kid,
          retiredAt: command.meta.now,
          publishUntil: command.meta.now + command.retiredKeyGraceSeconds,
        },
        eventMeta(command.meta),
      );
      return [...events, retired];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: KeyRingState, event: KeyEvent): KeyRingState {
  const keys = new Map(state.keys);
  switch (event.type) {
    case 'key.generated': {
      const { kid, alg, publicJwk, encryptedPrivateJwk } = event.data;
      keys.set(kid, { kid, alg, publicJwk, encryptedPrivateJwk, status: 'generated' });
      break;
    }
    case 'key.activated': {
      const k = keys.get(event.data.kid);
      if (k) keys.set(k.kid, { ...k, status: 'active', activatedAt: event.data.activatedAt });
      break;
    }
    case 'key.retired': {
      const k = keys.get(event.data.kid);
      if (k) keys.set(k.kid, { ...k, status: 'retired', publishUntil: event.data.publishUntil });
      break;
    }
    default:
      return assertNever(event);
  }
  return { keys };
}

export const keyRingDecider: Decider<KeyRingState, KeyRingCommand, KeyEvent> = {
  decide,
  evolve,
  initialState: () => ({ keys: new Map() }),
};
