import { SSF_EVENT_TYPES, type DomainEvent } from '@idp/contracts';
import { subjectKeysOf } from '@idp/domain';

/**
 * One security event to transmit, before it is addressed to streams: the
 * SET's subject and event, and what the fan-out filters on.
 */
export interface Signal {
  readonly eventType: string;
  /** The originating event's id: the SET's `txn` (RFC 8417 2.2). */
  readonly txn: string;
  /** Unique per source event and event type: the idempotency key of its deliveries. */
  readonly sourceKey: string;
  /** Seconds since the epoch: when the originating event happened (the SET's iat). */
  readonly iat: number;
  readonly subId: Readonly<Record<string, unknown>>;
  /** Canonical keys of its subjects, matched against each stream's removed subjects. */
  readonly subjectKeys: readonly string[];
  readonly payload: Readonly<Record<string, unknown>>;
}

const issSub = (iss: string, sub: string) => ({ format: 'iss_sub', iss, sub });
const opaque = (id: string) => ({ format: 'opaque', id });

/** CAEP 1.0 3.1 `initiating_entity`, from why our session ended. */
const INITIATOR: Record<string, string> = {
  rp_logout: 'user',
  user_logout_all: 'user',
  admin: 'admin',
  expired: 'policy',
  login_replaced: 'policy',
};

/**
 * The SETs an event of ours calls for (ADR 0035), or none. Pure: the
 * consumer and the spec call it alike.
 */
export function signalsOf(event: DomainEvent, issuer: string): Signal[] {
  const iat = Math.floor(Date.parse(event.occurredAt) / 1000);
  const base = (eventType: string) => ({
    eventType,
    txn: event.id,
    sourceKey: `${event.id}:${eventType}`,
    iat,
  });
  switch (event.type) {
    case 'session.ended': {
      const { sub, sid, reason } = event.data;
      return [
        {
          ...base(SSF_EVENT_TYPES.sessionRevoked),
          // SSF 1.0 3.3 complex subject: this user's session, the sid our ID tokens carried.
          subId: { format: 'complex', user: issSub(issuer, sub), session: opaque(sid) },
          subjectKeys: subjectKeysOf({ issuer, sub, sid }),
          payload: {
            event_timestamp: iat,
            initiating_entity: INITIATOR[reason] ?? 'system',
            reason_admin: { en: `session ended: ${reason}` },
          },
        },
      ];
    }
    case 'user.deleted': {
      const { sub } = event.data;
      return [
        {
          ...base(SSF_EVENT_TYPES.sessionRevoked),
          // Every session of the user: the subject is the user alone.
          subId: issSub(issuer, sub),
          subjectKeys: subjectKeysOf({ issuer, sub }),
          payload: {
            event_timestamp: iat,
            initiating_entity: 'admin',
            reason_admin: { en: 'user deleted' },
          },
        },
      ];
    }
    case 'user.updated': {
      const { sub, passwordHash, claims } = event.data;
      const subject = { subId: issSub(issuer, sub), subjectKeys: subjectKeysOf({ issuer, sub }) };
      const signals: Signal[] = [];
      if (passwordHash !== undefined)
        signals.push({
          ...base(SSF_EVENT_TYPES.credentialChange),
          ...subject,
          // CAEP 1.0 3.3; never the hash itself.
          payload: { event_timestamp: iat, credential_type: 'password', change_type: 'update' },
        });
      if (claims !== undefined && Object.keys(claims).length > 0)
        signals.push({
          ...base(SSF_EVENT_TYPES.tokenClaimsChange),
          ...subject,
          // CAEP 1.0 3.2: the claims whose values changed, with their new values.
          payload: { event_timestamp: iat, claims },
        });
      return signals;
    }
    case 'grant.revoked': {
      const { grantId, clientId, sub, sid, reason, until, accessTokens } = event.data;
      return [
        {
          ...base(SSF_EVENT_TYPES.tokenRevoked),
          subId: {
            format: 'complex',
            ...(sub === undefined ? {} : { user: issSub(issuer, sub) }),
            ...(sid === undefined ? {} : { session: opaque(sid) }),
            application: opaque(clientId),
          },
          subjectKeys: subjectKeysOf({ issuer, sub, sid }),
          payload: {
            event_timestamp: iat,
            grant_id: grantId,
            client_id: clientId,
            reason,
            // The JWT access tokens an RS may hold: drop these jtis until their exp.
            access_tokens: accessTokens.map(({ jti, exp }) => ({ jti, exp })),
            // Nothing issued under the grant outlives this: the receiver can forget it then.
            exp: until,
          },
        },
      ];
    }
    case 'grant.access_token_revoked': {
      const { grantId, clientId, jti, exp, reason } = event.data;
      return [
        {
          ...base(SSF_EVENT_TYPES.tokenRevoked),
          subId: { format: 'complex', application: opaque(clientId) },
          subjectKeys: [],
          payload: {
            event_timestamp: iat,
            grant_id: grantId,
            client_id: clientId,
            reason,
            access_tokens: [{ jti, exp }],
            exp,
          },
        },
      ];
    }
    default:
      return [];
  }
}
