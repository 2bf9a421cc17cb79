import { codeOf, loginForm, VICTIM } from './abuse.support';

export const ADMIN_TOKEN = 'abuse-admin-token-0123456789abcdefghijklmnop';
/** The settings the suite expects every auth-api process to run with. */
export const THROTTLE_ENV = {
  ADMIN_TOKEN,
  LOGIN_THROTTLE_FREE_FAILURES: '10',
  LOGIN_LOCK_FAILURES: '3',
  LOGIN_LOCK_SECONDS: '600',
};
const THROTTLED = 'Too many failed sign-in attempts. Wait a while, then try again.';
const alertOf = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];

export interface ThrottleTarget {
  /** Two auth-api origins (the same one in the embedded mode) sharing the throttle store. */
  readonly a: () => string;
  readonly b: () => string;
  /** The admin listener of replica b (ADR 0017). */
  readonly bAdmin: () => string;
  readonly eventsOfType: (type: string) => Promise<number>;
}

/**
 * Sign-in throttling (ADR 0016): failures through either replica count
 * towards one lock, the lock looks the same for a name without an account,
 * it is recorded as an event, and an admin lifts it.
 */
export function throttleSuite(t: ThrottleTarget): void {
  /** One attempt through a fresh login form, posted to `via`. */
  const attempt = async (username: string, password: string, via: string) =>
    (await loginForm(t.a()))(username, password, '127.0.0.1', via);

  const unlock = (sub: string) =>
    fetch(`${t.bAdmin()}/admin/users/${sub}/unlock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });

  it('failures on either replica lock the username on both, with the same page for a name that has no account', async () => {
    for (const via of [t.a(), t.b(), t.a()]) {
      expect((await attempt(VICTIM.username, 'wrong', via)).status).toBe(200);
      expect((await attempt('nobody-here', 'wrong', via)).status).toBe(200);
    }
    const known = await attempt(VICTIM.username, VICTIM.password, t.b());
    const unknown = await attempt('nobody-here', 'anything', t.a());
    for (const locked of [known, unknown]) {
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
      expect(alertOf(locked.body)).toBe(THROTTLED);
    }
    expect(codeOf(known)).toBeUndefined();
    // Both locks are audit events, whether or not the name has an account.
    await expect(t.eventsOfType('login.locked')).resolves.toBe(2);
  });

  it('an admin lifts the lock (an event), and the user signs in again', async () => {
    const lifted = await unlock(VICTIM.sub);
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toEqual({ unlocked: true });
    await expect(t.eventsOfType('login.unlocked')).resolves.toBe(1);
    expect(codeOf(await attempt(VICTIM.username, VICTIM.password, t.a()))).toBeDefined();

    expect(await (await unlock(VICTIM.sub)).json()).toEqual({ unlocked: false });
    expect((await unlock('no-such-user')).status).toBe(404);
    expect(
      (await fetch(`${t.bAdmin()}/admin/users/${VICTIM.sub}/unlock`, { method: 'POST' })).status,
    ).toBe(401);
  });
}
