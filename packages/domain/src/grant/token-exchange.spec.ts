import { clientMetadata } from '@idp/contracts';
import type { RegisteredClient } from '../client/client.state';
import type { ExchangeToken } from './grant.commands';
import { grantDecider } from './grant.decider';
import {
  accessToken,
  at,
  errorBody,
  invalidGrant,
  issueCode,
  NOW,
  redeem,
  stateAfter,
} from './grant.fixtures';
import { GrantErrors } from './grant.errors';
import {
  assertMayAct,
  delegationChain,
  exchangeScope,
  exchangeTarget,
  MAX_ACTOR_CHAIN,
  presentedTokenType,
  requestedTokenType,
  TOKEN_TYPE,
} from './token-exchange';

const client = (policy?: { audiences: string[]; impersonation?: boolean }): RegisteredClient =>
  ({
    status: 'registered',
    clientId: 'svc-a',
    metadata: clientMetadata.parse({
      client_id: 'svc-a',
      ...(policy === undefined ? {} : { token_exchange: policy }),
    }),
  }) as unknown as RegisteredClient;

const code = (run: () => unknown) => (errorBody(run) as { error?: string }).error;

describe('token exchange rules (RFC 8693)', () => {
  describe('token types', () => {
    it('knows access and ID tokens and JWTs, and nothing else', () => {
      expect(presentedTokenType(TOKEN_TYPE.accessToken, 'subject_token_type')).toBe('access_token');
      expect(presentedTokenType(TOKEN_TYPE.idToken, 'subject_token_type')).toBe('id_token');
      expect(presentedTokenType(TOKEN_TYPE.jwt, 'subject_token_type')).toBe('jwt');
      expect(code(() => presentedTokenType(undefined, 'subject_token_type'))).toBe(
        'invalid_request',
      );
      expect(
        code(() =>
          presentedTokenType('urn:ietf:params:oauth:token-type:saml2', 'subject_token_type'),
        ),
      ).toBe('invalid_request');
      expect(
        code(() =>
          presentedTokenType('urn:ietf:params:oauth:token-type:refresh_token', 'actor_token_type'),
        ),
      ).toBe('invalid_request');
    });

    it('issues an access token or a JWT', () => {
      expect(requestedTokenType(undefined)).toBe('access_token');
      expect(requestedTokenType(TOKEN_TYPE.accessToken)).toBe('access_token');
      expect(requestedTokenType(TOKEN_TYPE.jwt)).toBe('jwt');
      expect(code(() => requestedTokenType(TOKEN_TYPE.idToken))).toBe('invalid_request');
    });
  });

  describe('target', () => {
    it('is one of the policy audiences, by resource or by audience', () => {
      const c = client({ audiences: ['svc-b', 'https://api.example'] });
      expect(exchangeTarget(c, { audience: 'svc-b' })).toBe('svc-b');
      expect(exchangeTarget(c, { resource: 'https://api.example' })).toBe('https://api.example');
      expect(exchangeTarget(c, { resource: 'svc-b', audience: 'svc-b' })).toBe('svc-b');
    });

    it('refuses an audience the policy does not name, none, or two different ones', () => {
      const c = client({ audiences: ['svc-b'] });
      expect(code(() => exchangeTarget(c, { audience: 'svc-c' }))).toBe('invalid_target');
      expect(code(() => exchangeTarget(c, {}))).toBe('invalid_target');
      expect(code(() => exchangeTarget(c, { audience: 'svc-b', resource: 'svc-c' }))).toBe(
        'invalid_target',
      );
    });

    it('refuses a client without a policy: unauthorized_client', () => {
      expect(code(() => exchangeTarget(client(), { audience: 'svc-b' }))).toBe(
        'unauthorized_client',
      );
    });
  });

  describe('scope', () => {
    it('narrows, never widens', () => {
      expect(exchangeScope('openid read', undefined)).toBe('openid read');
      expect(exchangeScope('openid read', 'read')).toBe('read');
      expect(code(() => exchangeScope('openid read', 'read write'))).toBe('invalid_scope');
    });
  });

  describe('delegation and impersonation', () => {
    const delegating = client({ audiences: ['svc-b'] });
    const impersonating = client({ audiences: ['svc-b'], impersonation: true });

    it('puts the actor outermost, the subject token chain nested under it', () => {
      expect(delegationChain(delegating, { sub: 'svc-a', client_id: 'svc-a' }, undefined)).toEqual({
        sub: 'svc-a',
        client_id: 'svc-a',
      });
      expect(
        delegationChain(
          delegating,
          { sub: 'svc-b', client_id: 'svc-b' },
          { sub: 'svc-a', client_id: 'svc-a' },
        ),
      ).toEqual({ sub: 'svc-b', client_id: 'svc-b', act: { sub: 'svc-a', client_id: 'svc-a' } });
    });

    it('refuses a chain deeper than MAX_ACTOR_CHAIN', () => {
      let chain: { sub: string; act?: unknown } | undefined;
      for (let i = 0; i < MAX_ACTOR_CHAIN; i++)
        chain = { sub: `s${i}`, ...(chain ? { act: chain } : {}) };
      expect(code(() => delegationChain(delegating, { sub: 'next' }, chain as never))).toBe(
        'invalid_request',
      );
    });

    it('refuses impersonation unless the policy allows it', () => {
      expect(code(() => delegationChain(delegating, undefined, undefined))).toBe(
        'unauthorized_client',
      );
      expect(delegationChain(impersonating, undefined, undefined)).toBeUndefined();
      expect(delegationChain(impersonating, undefined, { sub: 'svc-z' })).toEqual({ sub: 'svc-z' });
    });
  });

  describe('may_act (RFC 8693 4.4)', () => {
    it('is satisfied by a matching actor, and absent by any', () => {
      expect(() => assertMayAct(undefined, undefined)).not.toThrow();
      expect(() =>
        assertMayAct({ sub: 'svc-a' }, { sub: 'svc-a', client_id: 'svc-a' }),
      ).not.toThrow();
      expect(() =>
        assertMayAct({ sub: 'svc-a', client_id: 'svc-a' }, { sub: 'svc-a', client_id: 'svc-a' }),
      ).not.toThrow();
    });

    it('refuses another actor, no actor, or a claim it cannot match', () => {
      expect(code(() => assertMayAct({ sub: 'svc-a' }, { sub: 'svc-b' }))).toBe('invalid_request');
      expect(
        code(() =>
          assertMayAct({ sub: 'svc-a', client_id: 'x' }, { sub: 'svc-a', client_id: 'y' }),
        ),
      ).toBe('invalid_request');
      expect(code(() => assertMayAct({ sub: 'svc-a' }, undefined))).toBe('invalid_request');
      expect(code(() => assertMayAct({ iss: 'https://x' }, { sub: 'svc-a' }))).toBe(
        'invalid_request',
      );
      expect(code(() => assertMayAct('svc-a', { sub: 'svc-a' }))).toBe('invalid_request');
    });
  });
});

describe('ExchangeToken (the grant decider)', () => {
  const exchange = (over: Partial<ExchangeToken> = {}): ExchangeToken => ({
    type: 'ExchangeToken',
    grantId: 'g1',
    clientId: 'svc-b',
    into: { kind: 'grant', subjectJti: 'at1' },
    scope: 'openid',
    accessToken: accessToken('x1', { act: { sub: 'svc-b', client_id: 'svc-b' } }),
    meta: at(),
    ...over,
  });
  const active = () => stateAfter(issueCode(), redeem());

  it('joins the subject grant, issued to the exchanging client, with act', () => {
    const [event] = grantDecider.decide(exchange(), active());
    expect(event).toMatchObject({
      type: 'grant.access_token_issued',
      data: {
        grantId: 'g1',
        clientId: 'rp',
        issuedTo: 'svc-b',
        sub: 'alice',
        jti: 'x1',
        scope: 'openid',
        act: { sub: 'svc-b', client_id: 'svc-b' },
      },
    });
  });

  it('is revoked with the grant: the grant revocation lists it', () => {
    const after = stateAfter(issueCode(), redeem(), exchange());
    const [revoked] = grantDecider.decide(
      { type: 'RevokeGrant', reason: 'session_ended', meta: at() },
      after,
    );
    expect(
      (revoked!.data as { accessTokens: { jti: string }[] }).accessTokens.map((t) => t.jti),
    ).toEqual(['at1', 'x1']);
  });

  it('refuses a revoked grant, a revoked, unknown or expired subject token, and widening', () => {
    const revoked = stateAfter(issueCode(), redeem(), {
      type: 'RevokeGrant',
      reason: 'client_request',
      meta: at(),
    });
    const inactive = invalidGrant(GrantErrors.subjectTokenInactive);
    expect(errorBody(() => grantDecider.decide(exchange(), revoked))).toEqual(inactive);
    const tokenRevoked = stateAfter(issueCode(), redeem(), {
      type: 'RevokeAccessToken',
      jti: 'at1',
      meta: at(),
    });
    expect(errorBody(() => grantDecider.decide(exchange(), tokenRevoked))).toEqual(inactive);
    expect(
      errorBody(() =>
        grantDecider.decide(exchange({ into: { kind: 'grant', subjectJti: 'nope' } }), active()),
      ),
    ).toEqual(inactive);
    expect(
      errorBody(() => grantDecider.decide(exchange({ meta: at(NOW + 3_601) }), active())),
    ).toEqual(inactive);
    expect(
      errorBody(() => grantDecider.decide(exchange({ scope: 'openid admin' }), active())),
    ).toEqual(invalidGrant(GrantErrors.scopeWidened));
  });

  it('starts a grant of its own for an ID token subject, and never over an existing one', () => {
    const fresh = exchange({ into: { kind: 'new', sub: 'alice', sid: 's1' }, clientId: 'svc-a' });
    const [event] = grantDecider.decide(fresh, grantDecider.initialState());
    expect(event).toMatchObject({
      data: { grantId: 'g1', clientId: 'svc-a', sub: 'alice', sid: 's1' },
    });
    expect((event!.data as { issuedTo?: string }).issuedTo).toBeUndefined();
    expect(errorBody(() => grantDecider.decide(fresh, active()))).toMatchObject({
      code: 'grant.exists',
    });
  });
});
