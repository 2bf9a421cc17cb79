import { randomBytes } from '@idp/crypto';
import { signSessionId, verifySessionId } from './session-cookie';

describe('session cookie', () => {
  const key = randomBytes(32);

  it('round-trips any sid', () => {
    for (const sid of ['sid-1', '01890a5d-ac96-774b-bcce-b302099a8057', 'a.b;c=d']) {
      expect(verifySessionId(key, signSessionId(key, sid))).toBe(sid);
    }
  });

  it('refuses a sid the server did not sign', () => {
    const value = signSessionId(key, 'sid-1');
    const [, mac] = value.split('.');
    const forged = `${Buffer.from('sid-2').toString('base64url')}.${mac}`;
    expect(verifySessionId(key, forged)).toBeUndefined();
    expect(verifySessionId(randomBytes(32), value)).toBeUndefined();
    expect(verifySessionId(key, 'sid-1')).toBeUndefined();
    expect(verifySessionId(key, undefined)).toBeUndefined();
  });

  it('refuses sids beyond session-service limits', () => {
    expect(verifySessionId(key, signSessionId(key, 'x'.repeat(201)))).toBeUndefined();
  });
});
