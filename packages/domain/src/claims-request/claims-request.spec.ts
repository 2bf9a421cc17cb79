import { parseEvent, type ClaimsRequest, type GrantEvent } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { fold } from '../decider';
import { grantDecider } from '../grant/grant.decider';
import {
  accessToken,
  history,
  issueCode,
  issueResponse,
  redeem,
  stateAfter,
} from '../grant/grant.fixtures';
import { acrOfSession, checkEssentialAcr, PASSWORD_ACR } from './acr';
import {
  claimsRequestForClient,
  idTokenUserClaims,
  requestedUserClaims,
  userinfoClaims,
} from './requested-claims';

const user = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  email_verified: true,
  phone_number: '+44 20 0000 0000',
  locale: '',
  roles: ['admin'],
  tenant: 't1',
};

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (err) {
    return err instanceof OAuthError ? err.toJSON() : err;
  }
  return undefined;
}

describe('acr (OIDC Core 5.5.1.1)', () => {
  it("is the session's, else follows from a password amr", () => {
    expect(acrOfSession({ acr: 'urn:x', amr: ['pwd'] })).toBe('urn:x');
    expect(acrOfSession({ amr: ['pwd'] })).toBe(PASSWORD_ACR);
    expect(acrOfSession({ amr: [] })).toBeUndefined();
  });

  const essential = (values: unknown[]): ClaimsRequest =>
    ({ id_token: { acr: { essential: true, values } } }) as ClaimsRequest;

  it('fails an essential acr the session did not achieve with access_denied', () => {
    expect(thrown(() => checkEssentialAcr(essential(['urn:gold']), PASSWORD_ACR))).toEqual({
      error: 'access_denied',
      error_description: 'the essential authentication context class (acr) cannot be met',
    });
    // value as well as values
    const one = { id_token: { acr: { essential: true, value: 'urn:gold' } } };
    expect(thrown(() => checkEssentialAcr(one, PASSWORD_ACR))).toMatchObject({
      error: 'access_denied',
    });
    // A session without any acr meets no essential value.
    expect(thrown(() => checkEssentialAcr(essential([PASSWORD_ACR]), 'urn:other'))).toMatchObject({
      error: 'access_denied',
    });
  });

  it('fails, before login, an essential acr no session can achieve', () => {
    expect(thrown(() => checkEssentialAcr(essential(['urn:gold', 1])))).toMatchObject({
      error: 'access_denied',
    });
    expect(thrown(() => checkEssentialAcr(essential(['urn:gold', PASSWORD_ACR])))).toBeUndefined();
  });

  it('lets a met, a voluntary or a value-less acr request through', () => {
    expect(
      thrown(() => checkEssentialAcr(essential([PASSWORD_ACR]), PASSWORD_ACR)),
    ).toBeUndefined();
    const voluntary = { id_token: { acr: { values: ['urn:gold'] } } };
    expect(thrown(() => checkEssentialAcr(voluntary, PASSWORD_ACR))).toBeUndefined();
    const anyAcr = { id_token: { acr: { essential: true } } };
    expect(thrown(() => checkEssentialAcr(anyAcr, PASSWORD_ACR))).toBeUndefined();
    // acr asked for in userinfo is not an authentication requirement.
    const elsewhere = { userinfo: { acr: { essential: true, value: 'urn:gold' } } };
    expect(thrown(() => checkEssentialAcr(elsewhere, PASSWORD_ACR))).toBeUndefined();
    expect(thrown(() => checkEssentialAcr(undefined, undefined))).toBeUndefined();
  });
});

describe('claimsRequestForClient', () => {
  const request: ClaimsRequest = {
    userinfo: { email: null, phone_number: { essential: true }, roles: null },
    id_token: { acr: null, name: null },
  };

  it('keeps every standard claim and acr for a client registered without scope', () => {
    expect(claimsRequestForClient(request, undefined)).toEqual({
      userinfo: { email: null, phone_number: { essential: true } },
      id_token: { acr: null, name: null },
    });
  });

  it("keeps only the claims of the client's registered scopes, and acr", () => {
    expect(claimsRequestForClient(request, 'openid email')).toEqual({
      userinfo: { email: null },
      id_token: { acr: null },
    });
    expect(claimsRequestForClient({ userinfo: { name: null } }, 'openid email')).toBeUndefined();
    expect(claimsRequestForClient(undefined, undefined)).toBeUndefined();
  });
});

describe('requestedUserClaims (the consent page)', () => {
  it('lists the standard claims of both members once, without acr or custom names', () => {
    expect(
      requestedUserClaims({
        id_token: { acr: null, email: null, name: null },
        userinfo: { email: null, roles: null, phone_number: null },
      }),
    ).toEqual(['email', 'name', 'phone_number']);
    expect(requestedUserClaims(undefined)).toEqual([]);
  });
});

describe('the claims an ID token and /userinfo release (OIDC Core 5.5)', () => {
  const request: ClaimsRequest = {
    id_token: { email: { essential: true }, phone_number: null, locale: null, roles: null },
    userinfo: { name: null, tenant: null, email_verified: { value: true } },
  };

  it('puts the id_token members the user has in the ID token, nothing else', () => {
    expect(idTokenUserClaims(user, 'openid profile', request, false)).toEqual({
      email: 'ada@example.com',
      phone_number: '+44 20 0000 0000',
    });
    // Without a request, an ID token next to an access token carries no user claims.
    expect(idTokenUserClaims(user, 'openid profile', undefined, false)).toEqual({});
  });

  it('adds the scopes for an ID token alone (response_type=id_token)', () => {
    expect(idTokenUserClaims(user, 'openid profile', request, true)).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone_number: '+44 20 0000 0000',
    });
  });

  it('answers /userinfo with the scopes and the userinfo members, nothing else', () => {
    expect(userinfoClaims(user, 'openid', request)).toEqual({
      name: 'Ada Lovelace',
      email_verified: true,
    });
    expect(userinfoClaims(user, 'openid phone', request)).toEqual({
      name: 'Ada Lovelace',
      email_verified: true,
      phone_number: '+44 20 0000 0000',
    });
    expect(userinfoClaims(user, 'openid', undefined)).toEqual({});
  });

  it('omits a requested claim the user does not have', () => {
    expect(userinfoClaims({}, 'openid', request)).toEqual({});
    expect(idTokenUserClaims({ email: 'a@b' }, 'openid', request, false)).toEqual({ email: 'a@b' });
  });
});

describe('the claims request kept with the grant', () => {
  const claimsRequest: ClaimsRequest = { userinfo: { email: null }, id_token: { name: null } };

  it('is held by the code when there is one', () => {
    const events = history(issueCode({ claimsRequest }));
    expect(events[0]).toMatchObject({ data: { claimsRequest } });
    expect(stateAfter(issueCode({ claimsRequest }), redeem())).toMatchObject({
      status: 'active',
      claimsRequest,
    });
  });

  it('is held by the access token of an `id_token token` response, which has no code', () => {
    const cmd = issueResponse({
      claimsRequest,
      accessToken: accessToken('at1'),
      idToken: { jti: 'id1', exp: 1_700_003_600 },
    });
    const events = history(cmd);
    expect(events[0]).toMatchObject({
      type: 'grant.access_token_issued',
      data: { claimsRequest },
    });
    expect(stateAfter(cmd)).toMatchObject({ status: 'active', claimsRequest });
  });

  it('is held once, by the code, in a hybrid `code token` response', () => {
    const cmd = issueResponse({
      claimsRequest,
      code: { codeHash: 'x'.repeat(43), exp: 1_700_000_060 },
      accessToken: accessToken('at1'),
    });
    const events = history(cmd);
    expect(events.map((e) => e.type)).toEqual([
      'grant.authorization_code_issued',
      'grant.access_token_issued',
    ]);
    expect(events[1]?.data).not.toHaveProperty('claimsRequest');
    expect(stateAfter(cmd)).toMatchObject({ claimsRequest });
  });

  it.each([
    ['code', () => history(issueCode({ claimsRequest }))],
    [
      'access token',
      () =>
        history(
          issueResponse({
            claimsRequest,
            accessToken: accessToken('at1'),
            idToken: { jti: 'id1', exp: 1_700_003_600 },
          }),
        ),
    ],
  ])('replays a %s event written before claims requests were recorded', (_kind, events) => {
    const [first] = events();
    const raw = JSON.parse(
      JSON.stringify({ ...first, stream: 'grant-g1', streamVersion: 1 }),
    ) as Record<string, unknown> & { data: Record<string, unknown> };
    delete raw.data['claimsRequest'];
    const state = fold(grantDecider, [parseEvent(raw) as GrantEvent]);
    expect(state.status).not.toBe('empty');
    expect(state).not.toHaveProperty('claimsRequest');
  });

  it('refuses a stored claims request with a value that is not a scalar', () => {
    const [first] = history(issueCode({ claimsRequest }));
    const raw = JSON.parse(JSON.stringify({ ...first, stream: 'grant-g1', streamVersion: 1 })) as {
      data: Record<string, unknown>;
    };
    raw.data['claimsRequest'] = { id_token: { acr: { value: { nested: true } } } };
    expect(() => parseEvent(raw)).toThrow(/invalid grant.authorization_code_issued/);
  });
});
