import { parseEvent, type GrantEvent } from '@idp/contracts';
import { fold } from '../decider';
import { grantDecider } from './grant.decider';
import {
  accessToken,
  errorBody,
  history,
  issueCode,
  redeem,
  refresh,
  rejects,
  stateAfter,
} from './grant.fixtures';

const API = 'https://api.example';
const OTHER = 'https://other.example/v1';
const invalidTarget = (description: string) => ({
  error: 'invalid_target',
  error_description: description,
  status: 400,
});
const NOT_GRANTED = invalidTarget('the requested resource was not part of the authorization grant');

/** RFC 8707 in the grant (ADR 0030): what the code records and what each token request may pick. */
describe('grant resources (RFC 8707)', () => {
  it('the code records the resources the authorization request named', () => {
    const [code] = history(issueCode({ resources: [API, OTHER] }));
    expect(code).toMatchObject({
      type: 'grant.authorization_code_issued',
      data: { resources: [API, OTHER] },
    });
    expect(stateAfter(issueCode({ resources: [API, OTHER] }))).toMatchObject({
      resources: [API, OTHER],
    });
  });

  it('records nothing when the request named none (an event as before)', () => {
    const [code] = history(issueCode({ resources: [] }));
    expect(code!.data).not.toHaveProperty('resources');
  });

  it('refuses malformed or too many resources even if a caller skipped the edge checks', () => {
    const state = grantDecider.initialState();
    expect(rejects(issueCode({ resources: ['relative/path'] }), state)).toEqual(
      invalidTarget('resource must be an absolute URI'),
    );
    expect(rejects(issueCode({ resources: [`${API}#frag`] }), state)).toEqual(
      invalidTarget('resource must not contain a fragment'),
    );
    const eleven = Array.from({ length: 11 }, (_, i) => `${API}/${i}`);
    expect(rejects(issueCode({ resources: eleven }), state)).toMatchObject({
      error: 'invalid_request',
    });
    expect(rejects(issueCode({ resources: [API, API] }), state)).toMatchObject({
      error: 'invalid_request',
    });
  });

  describe('RedeemAuthorizationCode', () => {
    const granted = stateAfter(issueCode({ resources: [API, OTHER] }));

    it('redeems for a granted resource', () => {
      const tokens = { accessToken: accessToken('at1', { aud: [OTHER] }) };
      const events = grantDecider.decide(redeem({ resource: OTHER, tokens }), granted);
      expect(events.map((e) => e.type)).toEqual([
        'grant.authorization_code_redeemed',
        'grant.access_token_issued',
      ]);
      expect(events[1]!.data).toMatchObject({ aud: [OTHER] });
    });

    it('refuses a resource the authorization did not name, appending nothing', () => {
      expect(
        errorBody(() => grantDecider.decide(redeem({ resource: 'https://x.example' }), granted)),
      ).toEqual(NOT_GRANTED);
    });

    it("judges the presenter first: another client's attempt spends the code, whatever resource", () => {
      expect(
        rejects(redeem({ clientId: 'thief', resource: 'https://x.example' }), granted),
      ).toMatchObject({ error: 'invalid_grant' });
    });

    it('a grant that recorded no resources allows any (the client registration bounds it)', () => {
      expect(grantDecider.decide(redeem({ resource: API }), stateAfter(issueCode()))).toHaveLength(
        4,
      );
    });
  });

  describe('RefreshTokens', () => {
    const afterRedeem = [
      issueCode({ resources: [API, OTHER] }),
      redeem({ resource: API }),
    ] as const;

    it('may narrow to another of the grant resources; the grant keeps them all', () => {
      const state = stateAfter(...afterRedeem, refresh('rt1', 2, { resource: OTHER }));
      expect(state).toMatchObject({ status: 'active', resources: [API, OTHER] });
      expect(
        grantDecider.decide(refresh('rt2', 3, { resource: API }), state).map((e) => e.type),
      ).toEqual(['grant.refresh_token_issued', 'grant.access_token_issued']);
    });

    it('never widens: a resource outside the grant is invalid_target and rotates nothing', () => {
      const state = stateAfter(...afterRedeem);
      expect(rejects(refresh('rt1', 2, { resource: 'https://x.example' }), state)).toEqual(
        NOT_GRANTED,
      );
    });

    it('reuse is still judged first: a rotated token revokes the grant whatever resource', () => {
      const state = stateAfter(...afterRedeem, refresh('rt1', 2));
      expect(rejects(refresh('rt1', 3, { resource: 'https://x.example' }), state)).toMatchObject({
        error: 'invalid_grant',
      });
    });
  });

  it('replays a code event written before resources were recorded', () => {
    // As an older version stored it: no `resources` member at all.
    const [pending] = history(issueCode());
    const raw = JSON.parse(
      JSON.stringify({ ...pending, stream: 'grant-g1', streamVersion: 1 }),
    ) as Record<string, unknown> & { data: Record<string, unknown> };
    delete raw.data['resources'];
    const event = parseEvent(raw) as GrantEvent;
    const state = fold(grantDecider, [event]);
    expect(state).toMatchObject({ status: 'code_issued' });
    expect(state).not.toHaveProperty('resources');
    expect(grantDecider.decide(redeem({ resource: API }), state)).toHaveLength(4);
  });
});
