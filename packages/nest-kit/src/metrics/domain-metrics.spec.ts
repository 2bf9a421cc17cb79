import { registry } from './metrics';
import {
  countAbuseRefusal,
  countBackchannelAttempt,
  countIntrospectionAnswer,
  countIssuedTokens,
  countLoginFailure,
  countLoginLock,
  countReadThrough,
  observeRevocationApplied,
} from './domain-metrics';

/** Every sample of a metric (histograms: every series), as labels and value. */
interface Sample {
  readonly metricName?: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

async function samples(name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not registered`);
  return (await metric.get()).values as Sample[];
}

async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
  const wanted = Object.entries(labels);
  return (await samples(name))
    .filter((s) => wanted.every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** How much `act` moved each of the given series (the registry is shared: compare, never reset). */
async function moved(
  name: string,
  series: readonly Record<string, string>[],
  act: () => void,
): Promise<number[]> {
  const before = await Promise.all(series.map((l) => value(name, l)));
  act();
  const after = await Promise.all(series.map((l) => value(name, l)));
  return after.map((v, i) => v - (before[i] as number));
}

describe('domain metrics', () => {
  it('counts issued tokens by grant type, token type and format', async () => {
    const series: Record<string, string>[] = [
      { grant_type: 'authorization_code', token_type: 'access_token', format: 'jwe' },
      { grant_type: 'authorization_code', token_type: 'refresh_token', format: 'opaque' },
      { grant_type: 'authorization_code', token_type: 'id_token', format: 'jwt' },
      { grant_type: 'client_credentials', token_type: 'access_token', format: 'opaque' },
      // Nothing handed out, nothing counted: no refresh or ID token for client_credentials.
      { grant_type: 'client_credentials', token_type: 'refresh_token', format: 'opaque' },
      {},
    ];
    const deltas = await moved('idp_tokens_issued_total', series, () => {
      countIssuedTokens('authorization_code', {
        accessToken: { format: 'jwe' },
        refreshToken: true,
        idToken: true,
      });
      countIssuedTokens('client_credentials', { accessToken: { format: 'opaque' } });
      countIssuedTokens('client_credentials', { accessToken: { format: 'opaque' } });
    });
    expect(deltas).toEqual([1, 1, 1, 2, 0, 5]);
  });

  it('counts introspection answers per outcome, every outcome present from the start', async () => {
    const all = await samples('idp_introspection_answers_total');
    expect(all.map((s) => s.labels['outcome']).sort()).toEqual([
      'active',
      'caller_refused',
      'inactive',
      'invalid_request',
      'rate_limited',
      'unavailable',
    ]);
    const outcomes = ['active', 'caller_refused', 'inactive'].map((outcome) => ({ outcome }));
    const deltas = await moved('idp_introspection_answers_total', outcomes, () => {
      countIntrospectionAnswer('active');
      countIntrospectionAnswer('active');
      countIntrospectionAnswer('caller_refused');
    });
    expect(deltas).toEqual([2, 1, 0]);
  });

  it('counts read-throughs by result', async () => {
    const results = [{ result: 'answered' }, { result: 'failed' }];
    const deltas = await moved('idp_introspection_read_through_total', results, () => {
      countReadThrough('answered');
      countReadThrough('failed');
      countReadThrough('failed');
    });
    expect(deltas).toEqual([1, 2]);
  });

  it('observes revocation propagation from occurredAt, ignoring other events and clock skew', async () => {
    const occurredAt = '2026-12-06T08:00:00.000Z';
    const at = Date.parse(occurredAt);
    const series = (metricName: string, event: string) => async () =>
      (await samples('idp_revocation_propagation_seconds')).find(
        (s) => s.metricName === metricName && s.labels['event'] === event,
      )?.value ?? NaN;
    const count = series('idp_revocation_propagation_seconds_count', 'grant.access_token_revoked');
    const sum = series('idp_revocation_propagation_seconds_sum', 'grant.access_token_revoked');
    const skewedCount = series('idp_revocation_propagation_seconds_count', 'grant.revoked');
    const skewedSum = series('idp_revocation_propagation_seconds_sum', 'grant.revoked');
    const before = [await count(), await sum(), await skewedCount(), await skewedSum()];
    const revoked = { id: 'e-1', type: 'grant.access_token_revoked', occurredAt };
    observeRevocationApplied(revoked, at + 250);
    observeRevocationApplied(revoked, at + 9_000); // redelivered: not a second propagation
    observeRevocationApplied({ id: 'e-2', type: 'grant.revoked', occurredAt }, at - 1_000); // skew: 0
    observeRevocationApplied(
      { id: 'e-3', type: 'grant.access_token_issued', occurredAt },
      at + 5_000,
    );
    observeRevocationApplied({ id: 'e-4', type: 'grant.revoked', occurredAt: 'not a date' }, at);
    expect((await count()) - before[0]!).toBe(1);
    expect((await sum()) - before[1]!).toBeCloseTo(0.25);
    expect((await skewedCount()) - before[2]!).toBe(1);
    expect((await skewedSum()) - before[3]!).toBe(0);
    const events = (await samples('idp_revocation_propagation_seconds')).map(
      (s) => s.labels['event'],
    );
    expect(new Set(events)).toEqual(new Set(['grant.access_token_revoked', 'grant.revoked']));
  });

  it('remembers a bounded number of revocation ids: the oldest is forgotten first', async () => {
    const occurredAt = '2026-12-06T08:00:00.000Z';
    const at = Date.parse(occurredAt);
    const count = async () =>
      (await samples('idp_revocation_propagation_seconds')).find(
        (s) =>
          s.metricName === 'idp_revocation_propagation_seconds_count' &&
          s.labels['event'] === 'grant.revoked',
      )?.value ?? NaN;
    const before = await count();
    const revoke = (id: string) =>
      observeRevocationApplied({ id, type: 'grant.revoked', occurredAt }, at);
    for (let i = 0; i <= 4_096; i++) revoke(`bounded-${i}`); // one more than remembered
    revoke('bounded-4096'); // still remembered
    revoke('bounded-0'); // forgotten: counted again
    expect((await count()) - before).toBe(4_097 + 1);
  });

  it('counts login failures, locks and the abuse controls’ refusals', async () => {
    const failures = await moved('idp_login_failures_total', [{}], () => {
      countLoginFailure();
      countLoginFailure();
    });
    const locks = await moved('idp_login_locks_total', [{}], () => countLoginLock());
    const refusals = await moved(
      'idp_abuse_refusals_total',
      [
        { control: 'rate_limited', endpoint: 'introspect' },
        { control: 'rate_limited', endpoint: 'token' },
        { control: 'throttled', endpoint: 'login' },
        { control: 'busy', endpoint: 'password_check' },
      ],
      () => {
        countAbuseRefusal('rate_limited', 'introspect');
        countAbuseRefusal('throttled', 'login');
        countAbuseRefusal('busy', 'password_check');
        countAbuseRefusal('busy', 'password_check');
      },
    );
    expect({ failures, locks, refusals }).toEqual({
      failures: [2],
      locks: [1],
      refusals: [1, 0, 1, 2],
    });
  });

  it('keeps the abuse refusals to the known combinations, present at 0 before any refusal', async () => {
    const combos = (await samples('idp_abuse_refusals_total')).map(
      (s) => `${s.labels['control']}/${s.labels['endpoint']}`,
    );
    expect(combos.sort()).toEqual([
      'busy/password_check',
      'rate_limited/authorize',
      'rate_limited/introspect',
      'rate_limited/register',
      'rate_limited/revoke',
      'rate_limited/ssf',
      'rate_limited/token',
      'rate_limited/userinfo',
      'throttled/login',
    ]);
  });

  it('counts back-channel attempts by outcome', async () => {
    const outcomes = ['delivered', 'retry', 'dead_lettered'].map((outcome) => ({ outcome }));
    const deltas = await moved('idp_backchannel_attempts_total', outcomes, () => {
      countBackchannelAttempt('delivered');
      countBackchannelAttempt('retry');
      countBackchannelAttempt('retry');
      countBackchannelAttempt('dead_lettered');
    });
    expect(deltas).toEqual([1, 2, 1]);
  });
});
