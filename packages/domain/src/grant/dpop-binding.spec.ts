import { deciderSpec } from '@idp/testing';
import { introspectionWritesFor, recordFromGrant } from '../introspection/introspection.record';
import { grantDecider } from './grant.decider';
import {
  NOW,
  accessToken,
  h,
  history,
  invalidGrant,
  issueCode,
  redeem,
  refresh,
  rejects,
  stateAfter,
} from './grant.fixtures';

const spec = deciderSpec(grantDecider);
const JKT = 'K'.repeat(43);
const OTHER = 'O'.repeat(43);
/** A public client's redemption with a DPoP proof: both tokens bound (RFC 9449 5). */
const boundRedeem = () => {
  const r = redeem();
  return redeem({
    tokens: {
      ...r.tokens,
      accessToken: accessToken('at1', { cnf: { jkt: JKT } }),
      refreshToken: { tokenHash: h('rt1'), exp: NOW + 86_400, cnf: { jkt: JKT } },
    },
  });
};

describe('DPoP binding in the grant (RFC 9449 5, 6)', () => {
  it('records cnf on the access and refresh token events, and introspection records carry it', () => {
    const events = history(issueCode(), boundRedeem());
    const issued = events.filter(
      (e) => e.type === 'grant.access_token_issued' || e.type === 'grant.refresh_token_issued',
    );
    expect(issued.map((e) => (e.data as { cnf?: unknown }).cnf)).toEqual([
      { jkt: JKT },
      { jkt: JKT },
    ]);
    for (const e of issued) {
      const [write] = introspectionWritesFor(e as never);
      expect(write?.record).toMatchObject({ active: true, cnf: { jkt: JKT } });
    }
    const state = stateAfter(issueCode(), boundRedeem());
    if (state.status === 'empty') throw new Error('no grant');
    const token = state.accessTokens.get('at1')!;
    expect(recordFromGrant(state, { role: 'access_token', token }, NOW)).toMatchObject({
      cnf: { jkt: JKT },
    });
    expect(
      recordFromGrant(state, { role: 'refresh_token', token: state.refreshToken! }, NOW),
    ).toMatchObject({ cnf: { jkt: JKT } });
  });

  it('a Bearer token has no cnf anywhere', () => {
    const events = history(issueCode(), redeem());
    for (const e of events) expect(e.data).not.toHaveProperty('cnf');
  });

  it('a bound refresh token refuses a refresh without a proof or with another key', () => {
    const state = stateAfter(issueCode(), boundRedeem());
    const mismatch = invalidGrant(
      'refresh token is bound to a DPoP key this request did not prove',
    );
    expect(rejects(refresh('rt1', 2), state)).toEqual(mismatch);
    expect(rejects(refresh('rt1', 2, { proofJkt: OTHER }), state)).toEqual(mismatch);
  });

  it('a refresh with the bound key rotates, and the new refresh token keeps the binding', () => {
    spec
      .given(history(issueCode(), boundRedeem()))
      .when(refresh('rt1', 2, { proofJkt: JKT }))
      .then([
        {
          type: 'grant.refresh_token_issued',
          data: expect.objectContaining({ tokenHash: h('rt2'), cnf: { jkt: JKT } }),
        },
        {
          type: 'grant.access_token_issued',
          data: expect.not.objectContaining({ cnf: expect.anything() }),
        },
      ]);
  });

  it('an unbound refresh token refreshes with or without a proof, and stays unbound', () => {
    for (const proofJkt of [undefined, OTHER]) {
      spec
        .given(history(issueCode(), redeem()))
        .when(refresh('rt1', 2, { proofJkt }))
        .then([
          {
            type: 'grant.refresh_token_issued',
            data: expect.not.objectContaining({ cnf: expect.anything() }),
          },
          { type: 'grant.access_token_issued' },
        ]);
    }
  });
});
