import { afterAttempt, resultOfStatus } from './delivery';

const schedule = { baseMs: 1_000, capMs: 60_000, maxAttempts: 3 };
const NOW = 1_800_000_000_000;

describe('delivery state machine', () => {
  it('a 2xx delivers, whatever attempt it is', () => {
    expect(afterAttempt({ attempts: 0 }, { ok: true, status: 200 }, schedule, NOW)).toEqual({
      kind: 'delivered',
      attempt: 1,
      status: 200,
    });
    expect(afterAttempt({ attempts: 2 }, { ok: true, status: 204 }, schedule, NOW)).toMatchObject({
      kind: 'delivered',
      attempt: 3,
    });
  });

  it('a failure with attempts left is retried after the back-off', () => {
    expect(
      afterAttempt({ attempts: 1 }, { ok: false, error: 'HTTP 503' }, schedule, NOW, () => 1),
    ).toEqual({ kind: 'retry', attempt: 2, error: 'HTTP 503', nextAttemptAt: NOW + 2_000 });
  });

  it('the last allowed failure dead-letters', () => {
    expect(afterAttempt({ attempts: 2 }, { ok: false, error: 'timeout' }, schedule, NOW)).toEqual({
      kind: 'dead_lettered',
      attempt: 3,
      error: 'timeout',
    });
  });

  it('a permanent failure (a refused target) dead-letters at once: retrying cannot help', () => {
    const error = 'refused by the outbound policy (OUTBOUND_ALLOW): 10.0.0.1 is a private address';
    expect(
      afterAttempt({ attempts: 0 }, { ok: false, error, permanent: true }, schedule, NOW),
    ).toEqual({ kind: 'dead_lettered', attempt: 1, error });
  });

  it('keeps error texts short', () => {
    const t = afterAttempt({ attempts: 0 }, { ok: false, error: 'x'.repeat(2_000) }, schedule, NOW);
    expect(t.kind === 'retry' && t.error.length).toBe(500);
  });

  it.each([
    [200, true],
    [204, true],
    [299, true],
    [301, false],
    [302, false],
    [400, false],
    [503, false],
  ])('HTTP %i delivered: %s', (status, ok) => {
    expect(resultOfStatus(status).ok).toBe(ok);
  });

  it('names a redirect as such (they are never followed)', () => {
    expect(resultOfStatus(302)).toEqual({
      ok: false,
      error: 'HTTP 302 (redirects are not followed)',
    });
  });
});
