import {
  ALICE,
  codeOf,
  loginForm,
  MEMORY_LIMIT_MIB,
  peakRssMiB,
  type Answer,
} from './abuse.support';

export interface FloodTarget {
  /** auth-api's URL (the embedded process's in the embedded mode). */
  readonly base: () => string;
  /** The process that runs the password checks. */
  readonly checkerPid: () => number;
}

const FLOOD = 48;

/**
 * The test opens ~100 login forms from one address within a second to
 * prepare the floods (a browser opens one), so /authorize's per-IP limit is
 * raised; what is under test is the password check.
 */
export const FLOOD_ENV = { RATE_LIMIT_AUTHORIZE: '1000' };

/**
 * Issue #13's memory bound: 48 concurrent wrong-password sign-ins keep the
 * process that runs scrypt under the 512Mi deploy/k8s gives it, every
 * request gets an answer (the login page with 200, 429 or 503), and another
 * user's correct sign-in during the flood succeeds (ADR 0016).
 */
export function loginFloodSuite(target: FloodTarget): void {
  const expectAnswered = (answers: Answer[]) => {
    for (const a of answers) {
      expect([200, 429, 503]).toContain(a.status);
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      if (a.status !== 200) expect(a.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    }
  };

  it('from one address: the flood meets the per-IP throttle, alice (elsewhere) signs in during it', async () => {
    const forms = await Promise.all(Array.from({ length: FLOOD }, () => loginForm(target.base())));
    const aliceForm = await loginForm(target.base());
    const flood = Promise.all(
      forms.map((post, i) => post(`ghost-${i}`, 'not-the-password', '127.0.0.1')),
    );
    await new Promise((r) => setTimeout(r, 50));
    const alice = await aliceForm(ALICE.username, ALICE.password, '127.0.0.2');
    const answers = await flood;

    expect(alice.status).toBe(303);
    expect(codeOf(alice)).toBeDefined();
    expectAnswered(answers);
    // At most LOGIN_CONCURRENCY_PER_IP (2) in flight, and the free failures (10) and one more in
    // all, reached a password check; the rest were refused at the edge, never queued.
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(FLOOD - 11);
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(11);
  });

  it('from many addresses: the admission gate bounds the checks, and refuses the rest at once with 503', async () => {
    const forms = await Promise.all(Array.from({ length: FLOOD }, () => loginForm(target.base())));
    const started = Date.now();
    const answers = await Promise.all(
      forms.map((post, i) => post(`spread-${i}`, 'not-the-password', `127.0.1.${i + 1}`)),
    );
    expectAnswered(answers);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.body).toContain('Sign-in is busy right now. Try again shortly.');
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it(`kept the password-checking process under ${MEMORY_LIMIT_MIB} MiB at its peak`, () => {
    const peak = peakRssMiB(target.checkerPid());
    console.log(`peak RSS (VmHWM) of the password-checking process: ${peak.toFixed(0)} MiB`);
    expect(peak).toBeLessThan(MEMORY_LIMIT_MIB);
  });
}
