import type { GrantEvent } from '@idp/contracts';
import { assertNever } from '../decider';
import { fromAccessToken, fromCode, fromIdToken } from './grant.origins';
import type { Grant, GrantState } from './grant.types';

type Data<T extends GrantEvent['type']> = Extract<GrantEvent, { type: T }>['data'];
export type * from './grant.types';

export const initialGrantState = (): GrantState => ({ status: 'empty' });

/** An access token makes a grant active: a hybrid one before its code is redeemed. */
function issuingTo(state: GrantState, d: Data<'grant.access_token_issued'>): Grant {
  if (state.status === 'empty') return fromAccessToken(d);
  return state.status === 'code_issued' ? { ...state, status: 'active' } : state;
}

function withAccessToken<G extends Grant>(g: G, d: Data<'grant.access_token_issued'>): G {
  // Expired tokens are dropped here (by the event's own iat, so replay folds alike):
  // a long-lived refresh chain must not grow the state without bound.
  const accessTokens = new Map([...g.accessTokens].filter(([, t]) => t.exp > d.iat));
  accessTokens.set(d.jti, {
    jti: d.jti,
    ...(d.tokenHash === undefined ? {} : { tokenHash: d.tokenHash }),
    format: d.format,
    scope: d.scope,
    aud: d.aud,
    iat: d.iat,
    exp: d.exp,
    extraClaims: d.extraClaims,
    ...(d.cnf === undefined ? {} : { cnf: d.cnf }),
    ...(d.issuedTo === undefined ? {} : { issuedTo: d.issuedTo }),
    ...(d.act === undefined ? {} : { act: d.act }),
    revoked: false,
  });
  return { ...g, accessTokens, until: Math.max(g.until, d.exp) };
}

function withRefreshToken<G extends Grant>(g: G, d: Data<'grant.refresh_token_issued'>): G {
  const rotated = new Set(g.rotatedRefreshHashes);
  if (d.replaces !== undefined) rotated.add(d.replaces);
  return {
    ...g,
    refreshToken: {
      hash: d.tokenHash,
      iat: d.iat,
      exp: d.exp,
      ...(d.cnf === undefined ? {} : { cnf: d.cnf }),
    },
    // A rotation may narrow the grant (its client's registration was narrowed): for good.
    scope: d.scope,
    rotatedRefreshHashes: rotated,
    offline: d.offline,
    until: Math.max(g.until, d.exp),
  };
}

function withAccessTokenRevoked<G extends Grant>(g: G, jti: string): G {
  const token = g.accessTokens.get(jti);
  if (!token) return g;
  return { ...g, accessTokens: new Map(g.accessTokens).set(jti, { ...token, revoked: true }) };
}

/** Total over every (state, event) pair: impossible pairs leave the state as it is. */
export function evolveGrant(state: GrantState, event: GrantEvent): GrantState {
  switch (event.type) {
    case 'grant.authorization_code_issued':
      return state.status === 'empty' ? fromCode(event.data) : state;
    case 'grant.authorization_code_redeemed':
      return (state.status === 'code_issued' || state.status === 'active') && state.code
        ? { ...state, status: 'active', code: { ...state.code, redeemed: true } }
        : state;
    case 'grant.access_token_issued':
      return withAccessToken(issuingTo(state, event.data), event.data);
    case 'grant.refresh_token_issued':
      return state.status === 'empty' ? state : withRefreshToken(state, event.data);
    case 'grant.id_token_issued':
      return state.status === 'empty'
        ? fromIdToken(event.data)
        : { ...state, until: Math.max(state.until, event.data.exp) };
    case 'grant.revoked':
      return state.status === 'empty'
        ? state
        : { ...state, status: 'revoked', revokedReason: event.data.reason };
    case 'grant.access_token_revoked':
      return state.status === 'empty' ? state : withAccessTokenRevoked(state, event.data.jti);
    case 'grant.reuse_detected':
      return state; // a record of the theft signal: the grant.revoked after it changes the state
    default:
      return assertNever(event);
  }
}
