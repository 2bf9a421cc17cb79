import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loginForm, SERVICE, writeSeed } from '../abuse/abuse.support';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { counterValue, metricsUrl } from '../support/metrics';
import { freePort, ROOT, waitFor, type ServiceProcess } from '../support/service-process';

jest.setTimeout(180_000);

const BASIC = `Basic ${Buffer.from(`${SERVICE.id}:${SERVICE.secret}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', authorization: BASIC };

/** The metric names the dashboard and the alert rules use (the offline check's own parser). */
function metricsUsedByDashboards(): string[] {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'scripts', 'check-observability.mjs'), '--list-metrics'],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as string[];
}

const catalog = JSON.parse(
  readFileSync(join(ROOT, 'deploy', 'observability', 'metrics-catalog.json'), 'utf8'),
) as { metrics: { name: string; type: string }[] };

async function scrape(proc: ServiceProcess): Promise<string> {
  const res = await fetch(metricsUrl(proc));
  expect(res.status).toBe(200);
  return res.text();
}

/** Metric families (by their base name) with at least one sample in an exposition. */
function sampled(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0];
    if (name !== undefined) names.add(name.replace(/_(bucket|sum|count)$/, ''));
    if (name !== undefined) names.add(name);
  }
  return names;
}

describe('metrics catalog: every metric of the dashboard and the alert rules is exported (distributed)', () => {
  let stack: DistributedStack;
  let apps: ServiceProcess[];

  beforeAll(async () => {
    const authPort = await freePort();
    stack = await startDistributedStack({
      name: 'metrics_catalog',
      authPort,
      // The login page's form posts back to the issuer.
      issuer: `http://127.0.0.1:${authPort}`,
      seedFile: writeSeed(),
      env: { LOG_LEVEL: 'warn' },
    });
    apps = [stack.auth, stack.token, stack.session, ...stack.introspection];

    // A little traffic: a token, its introspection, its revocation, a failed sign-in.
    const issued = await fetch(`${stack.auth.url}/token`, {
      method: 'POST',
      headers: FORM,
      body: 'grant_type=client_credentials',
    });
    expect(issued.status).toBe(200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const introspect = async () =>
      (await (
        await fetch(`${stack.introspection[0]!.url}/introspect`, {
          method: 'POST',
          headers: FORM,
          body: `token=${token}`,
        })
      ).json()) as { active: boolean };
    expect(await introspect()).toMatchObject({ active: true });
    const revoked = await fetch(`${stack.auth.url}/revoke`, {
      method: 'POST',
      headers: FORM,
      body: `token=${token}`,
    });
    expect(revoked.status).toBe(200);
    expect(await introspect()).toEqual({ active: false });
    const post = await loginForm(stack.auth.url);
    const failed = await post('alice', 'certainly-not-the-password');
    expect(failed.body).toMatch(/Wrong username or password/);

    // The revocation event reaches the replica through the outbox and Kafka.
    await waitFor(
      'the revocation applied by the read-model consumer',
      async () =>
        (await counterValue(stack.introspection[0]!, 'idp_revocation_propagation_seconds_count', {
          event: 'grant.access_token_revoked',
        })) >= 1,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
  afterAll(() => stack?.stop());

  it('exports every metric of the catalog, and each one the dashboard or the rules use has samples', async () => {
    const texts = await Promise.all(apps.map(scrape));
    const declared = new Set(
      texts.flatMap((t) => [...t.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]!)),
    );
    expect(catalog.metrics.map((m) => m.name).filter((n) => !declared.has(n))).toEqual([]);

    const used = metricsUsedByDashboards();
    expect(used.length).toBeGreaterThan(15);
    // Gauges read at scrape (consumer lag once the groups joined) may need a scrape or two.
    await waitFor(
      'a sample of every metric the dashboard and the rules use',
      async () => {
        const have = new Set((await Promise.all(apps.map(scrape))).flatMap((t) => [...sampled(t)]));
        const missing = used.filter((n) => !have.has(n));
        if (missing.length > 0)
          process.stderr.write(`still without samples: ${missing.join(', ')}\n`);
        return missing.length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
  });

  it('times /introspect and /token under their route templates, never a raw URL', async () => {
    const count = (proc: ServiceProcess, route: string) =>
      counterValue(proc, 'http_server_request_duration_seconds_count', { http_route: route });
    expect(await count(stack.introspection[0]!, '/introspect')).toBeGreaterThanOrEqual(2);
    expect(await count(stack.auth, '/token')).toBeGreaterThanOrEqual(1);
    for (const text of await Promise.all(apps.map(scrape))) {
      const routes = [...text.matchAll(/http_route="([^"]*)"/g)].map((m) => m[1]!);
      expect(routes.filter((r) => r.includes('?') || /[0-9a-f]{8}-[0-9a-f]{4}/.test(r))).toEqual(
        [],
      );
    }
  });

  it('counts the traffic in the domain metrics', async () => {
    expect(
      await counterValue(stack.token, 'idp_tokens_issued_total', {
        grant_type: 'client_credentials',
        token_type: 'access_token',
      }),
    ).toBeGreaterThanOrEqual(1);
    const answers = (outcome: string) =>
      counterValue(stack.introspection[0]!, 'idp_introspection_answers_total', { outcome });
    expect(await answers('active')).toBeGreaterThanOrEqual(1);
    expect(await answers('inactive')).toBeGreaterThanOrEqual(1);
    const failures = (await scrape(stack.auth)).match(/^idp_login_failures_total (\S+)$/m);
    expect(Number(failures?.[1])).toBeGreaterThanOrEqual(1);
    const token = await scrape(stack.token);
    expect(token).toMatch(/^idp_signing_key_age_seconds\{alg="ES256"\} \d/m);
    expect(token).toMatch(/^idp_outbox_oldest_unpublished_age_seconds \d/m);
    const introspection = await scrape(stack.introspection[0]!);
    expect(introspection).toMatch(
      /^idp_consumer_lag\{group="introspection-service\.read-model",topic="idp\.internal\.token\.events",partition="\d"\} \d+$/m,
    );
  });
});
