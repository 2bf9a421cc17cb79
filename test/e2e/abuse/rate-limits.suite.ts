import { CLIENT, send, type Answer } from './abuse.support';

/**
 * Every rate-limited endpoint at 1 request per 10 s with a burst of 3
 * (ADR 0016): slow enough that a loaded test machine cannot refill a
 * bucket between two requests of a test.
 */
export const SMALL_LIMITS = {
  RATE_LIMIT_TOKEN: '0.1',
  RATE_LIMIT_INTROSPECT: '0.1',
  RATE_LIMIT_REVOKE: '0.1',
  RATE_LIMIT_REGISTER: '0.1',
  RATE_LIMIT_USERINFO: '0.1',
  RATE_LIMIT_AUTHORIZE: '0.1',
  RATE_LIMIT_BURST_SECONDS: '30',
  INITIAL_ACCESS_TOKEN: 'abuse-initial-access-token-0123456789abcdef',
};

export interface RateLimitTarget {
  /** auth-api's origin. */
  readonly auth: () => string;
  /** Where /introspect is served (the embedded process, or introspection-service). */
  readonly introspection: () => string;
}

const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const expectJson429 = (answer: Answer) => {
  expect(answer.status).toBe(429);
  expect(answer.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(JSON.parse(answer.body)).toMatchObject({ error: 'temporarily_unavailable' });
};

/** Four requests from one address: the burst of 3 passes the limit, the 4th is refused. */
async function fourth(url: string, options: Parameters<typeof send>[1]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < 4; i++) answers.push(await send(url, options));
  return answers;
}

/**
 * 429 with Retry-After and the OAuth error shape at every rate-limited
 * endpoint, per client IP, and per authenticated client at /introspect.
 * Each endpoint gets a loopback address of its own, so their buckets are
 * fresh.
 */
export function rateLimitSuite(t: RateLimitTarget): void {
  it.each([
    [
      'POST /token',
      '/token',
      {
        method: 'POST',
        headers: { ...FORM, authorization: basic },
        body: 'grant_type=client_credentials',
      },
      '127.0.2.1',
    ],
    [
      'POST /revoke',
      '/revoke',
      { method: 'POST', headers: { ...FORM, authorization: basic }, body: 'token=x' },
      '127.0.2.2',
    ],
    [
      'POST /register',
      '/register',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${SMALL_LIMITS.INITIAL_ACCESS_TOKEN}`,
        },
        body: '{}',
      },
      '127.0.2.3',
    ],
    [
      'GET /userinfo',
      '/userinfo',
      { method: 'GET', headers: { authorization: 'Bearer not-a-token' } },
      '127.0.2.4',
    ],
  ] as const)(
    '%s: the 4th request is 429 + Retry-After, OAuth JSON',
    async (_, path, options, from) => {
      const answers = await fourth(`${t.auth()}${path}`, { ...options, from });
      expect(answers.slice(0, 3).map((a) => a.status)).not.toContain(429);
      expectJson429(answers[3]!);
    },
  );

  it('GET /authorize: the 4th request is the error page with 429 + Retry-After', async () => {
    const answers = await fourth(`${t.auth()}/authorize?client_id=${CLIENT.id}`, {
      method: 'GET',
      from: '127.0.2.5',
    });
    expect(answers.slice(0, 3).map((a) => a.status)).not.toContain(429);
    const refused = answers[3]!;
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.body).toContain('temporarily_unavailable');
  });

  it('POST /introspect: per IP, and per client across addresses', async () => {
    const introspect = (from: string) =>
      send(`${t.introspection()}/introspect`, {
        headers: { ...FORM, authorization: basic },
        body: 'token=random-scan-1',
        from,
      });
    const byIp = await fourth(`${t.introspection()}/introspect`, {
      headers: { ...FORM, authorization: basic },
      body: 'token=x',
      from: '127.0.2.6',
    });
    expectJson429(byIp[3]!);
    // A fresh address, but the client already spent its burst above: per client, refused.
    await new Promise((r) => setTimeout(r, 300));
    expectJson429(await introspect('127.0.2.7'));
  });
}
