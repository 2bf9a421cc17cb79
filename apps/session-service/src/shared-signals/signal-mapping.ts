import { SSF_EVENT_TYPES, type DomainEvent } from '@idp/contracts';
import { subjectKeysOf } from '@idp/domain';
import { subjectIdIn, type SignalPrincipals } from './subject-formats';

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
  /** The `sub_id` of a stream that asked for no format: each event type's own shape. */
  readonly subId: Readonly<Record<string, unknown>>;
  /** Who the event is about: the `sub_id` of a stream that asked for a format (subject-formats.ts). */
  readonly principals: SignalPrincipals;
  /** Canonical keys of its subjects, matched against each stream's removed subjects. */
  readonly subjectKeys: readonly string[];
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * The default subject of each event type and its principals, from one
 * place: a lone user is `iss_sub`, anything more a complex subject (SSF 1.0 3.3).
 */
function about(principals: SignalPrincipals): Pick<Signal, 'subId' | 'principals'> {
  const lone = principals.sid === undefined && principals.clientId === undefined;
  return { subId: subjectIdIn(lone ? 'iss_sub' : 'complex', principals), principals };
}

/** CAEP 1.0 3.1 `initiating_entity`, from why our session ended. */
const INITIATOR: Record<string, string> = {
  rp_logout: 'user',
  user_logout_all: 'user',
  admin: 'admin',
  expired: 'policy',
  login_replaced: 'policy',
  // ADR 0038: theft detected by the refresh-token rotation policy, not asked for by anyone.
  refresh_token_reuse: 'policy',
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
          ...about({ iss: issuer, sub, sid }),
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
          ...about({ iss: issuer, sub }),
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
      const subject = {
        ...about({ iss: issuer, sub }),
        subjectKeys: subjectKeysOf({ issuer, sub }),
      };
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
          ...about({ iss: issuer, sub, sid, clientId }),
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
      // sub and sid: in events since the transmitter took subject formats; older ones name the client only.
      const { grantId, clientId, sub, sid, jti, exp, reason } = event.data;
      return [
        {
          ...base(SSF_EVENT_TYPES.tokenRevoked),
          ...about({ iss: issuer, sub, sid, clientId }),
          subjectKeys: subjectKeysOf({ issuer, sub, sid }),
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
