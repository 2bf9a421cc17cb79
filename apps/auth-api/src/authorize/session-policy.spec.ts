import { needsConsent, nextStep } from './session-policy';
import type { Prompt } from './types';

const NOW = 1_700_000_000;
const session = { authTime: NOW - 600, sid: 's' };
const req = (prompt: Prompt[] = [], max_age?: number) => ({
  prompt,
  ...(max_age === undefined ? {} : { max_age }),
});
const skip = { skip_consent: true };
const ask = { skip_consent: false };

describe('nextStep (OIDC Core 3.1.2.1 prompt and max_age)', () => {
  it('logs in without a session, with prompt=login, or when max_age has passed', () => {
    expect(nextStep(req(), skip, undefined, NOW)).toEqual({ step: 'login' });
    expect(nextStep(req(['login']), skip, session, NOW)).toEqual({ step: 'login' });
    expect(nextStep(req([], 599), skip, session, NOW)).toEqual({ step: 'login' });
    expect(nextStep(req([], 0), skip, { authTime: NOW }, NOW)).toEqual({ step: 'login' });
  });

  it('issues with a recent enough session when no consent is needed', () => {
    expect(nextStep(req(), skip, session, NOW)).toEqual({ step: 'issue', session });
    expect(nextStep(req([], 600), skip, session, NOW)).toEqual({ step: 'issue', session });
  });

  it('asks for consent unless the client skips it, and always for prompt=consent', () => {
    expect(nextStep(req(), ask, session, NOW)).toEqual({ step: 'consent', session });
    expect(nextStep(req(['consent']), skip, session, NOW)).toEqual({ step: 'consent', session });
    expect(needsConsent(req(['login', 'consent']), skip)).toBe(true);
    expect(needsConsent(req(['login']), skip)).toBe(false);
  });

  it('never shows a page for prompt=none: login_required or consent_required', () => {
    const none = (max_age?: number) => req(['none'], max_age);
    expect(() => nextStep(none(), skip, undefined, NOW)).toThrow(
      expect.objectContaining({ error: 'login_required' }),
    );
    expect(() => nextStep(none(60), skip, session, NOW)).toThrow(
      expect.objectContaining({ error: 'login_required' }),
    );
    expect(() => nextStep(none(), ask, session, NOW)).toThrow(
      expect.objectContaining({ error: 'consent_required' }),
    );
    expect(nextStep(none(), skip, session, NOW)).toEqual({ step: 'issue', session });
  });
});
