import { setTimeout as pause } from 'node:timers/promises';
import { Client } from 'pg';
import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import { basic, CLIENTS, FORM, introspect } from '../introspection/introspection.fixtures';
import { bearer, RP } from '../logout/logout.fixtures';
import { CookieBrowser, formOf } from '../oidc/browser';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { writeFaultsSeed } from './faults.fixtures';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { PG_URL } from '../support/infra';
import { freePort } from '../support/service-process';

/** Issue #12 item 2: how long the load runs, and how often every backend of the stack dies. */
const LOAD_MS = 12_000;
const KILL_EVERY_MS = 1_000;

/** One HTTP answer of the load, reduced to what the assertions need. */
interface Answer {
  readonly step: string;
  readonly status: number;
  /** The OAuth error code: JSON `error`, the `<code>` of an error page, or a redirect's `error`. */
  readonly error?: string;
  readonly retryAfter?: string | null;
}

interface Issued {
  readonly token: string;
  readonly client: { id: string; secret: string };
}

/**
 * Issue #12 item 2: terminating every PostgreSQL backend of the stack, once a
 * second, while clients keep coming (what a failover, a pooler restart or an
 * idle timeout does) must kill no process and answer no 500: a request that
 * met the fault gets 503 temporarily_unavailable with Retry-After (on
 * /authorize, through the redirect), and every token acknowledged with 200
 * stays valid.
 */
describe('PostgreSQL backends terminated under load', () => {
  let stack: DistributedStack;
  let base = '';
  let schema = '';

  beforeAll(async () => {
    // The issuer is auth-api's own address, so the login page's redirects stay on it.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    stack = await startDistributedStack({
      name: 'pgterm',
      seedFile: await writeFaultsSeed('pg-terminate'),
      issuer: base,
      authPort: port,
    });
    schema = stack.env['DATABASE_SCHEMA']!;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** Every backend of this stack (application_name `idp-<app>/<schema>`), none of anyone else's. */
  const terminateAll = async (): Promise<string[]> => {
    const pg = new Client({ connectionString: PG_URL, application_name: 'idp-e2e-terminator' });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ application_name: string }>(
        // Chosen first, then terminated: in one WHERE the planner may call
        // pg_terminate_backend before the name test, on any backend.
        `WITH mine AS MATERIALIZED (
           SELECT pid, application_name FROM pg_stat_activity
           WHERE application_name LIKE 'idp-%' AND right(application_name, $2) = $1)
         SELECT application_name FROM mine WHERE pg_terminate_backend(pid)`,
        [`/${schema}`, schema.length + 1],
      );
      return rows.map((r) => r.application_name);
    } finally {
      await pg.end();
    }
  };

  it('no process exits, nothing answers 500, every refusal is a 503 with Retry-After, every issued token stays active', async () => {
    const answers: Answer[] = [];
    const transportFailures: string[] = [];
    const issued: Issued[] = [];
    let logins = 0;
    let latestAccessToken: string | undefined;
    const deadline = Date.now() + LOAD_MS;

    /** Records the answer; returns the JSON body of a 200 JSON answer. */
    const record = async (step: string, res: Response): Promise<Record<string, unknown>> => {
      const text = await res.text();
      const json = (res.headers.get('content-type') ?? '').includes('json');
      const body = json ? (JSON.parse(text) as Record<string, unknown>) : {};
      const error = json ? body['error'] : /<code>([a-z_]+)<\/code>/.exec(text)?.[1];
      answers.push({
        step,
        status: res.status,
        ...(typeof error === 'string' ? { error } : {}),
        retryAfter: res.headers.get('retry-after'),
      });
      return res.status === 200 ? body : {};
    };
    const post = (path: string, auth: string, form: Record<string, string>) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...FORM, authorization: auth },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(8_000),
      });
    /** Runs `step` until the deadline; a request that got no answer at all is a failure too. */
    const loop = async (step: () => Promise<void>, pauseMs: number) => {
      while (Date.now() < deadline) {
        try {
          await step();
        } catch (err) {
          transportFailures.push(String(err));
        }
        await pause(pauseMs);
      }
    };

    const clientCredentials = (client: { id: string; secret: string }) => async () => {
      const body = await record(
        '/token client_credentials',
        await post('/token', basic(client), {
          grant_type: 'client_credentials',
          scope: 'reports:read',
        }),
      );
      if (typeof body['access_token'] !== 'string') return;
      issued.push({ token: body['access_token'], client });
      const res = await introspect(stack.introspection[0]!.url, body['access_token'], client);
      answers.push({
        step: '/introspect',
        status: res.status,
        ...(typeof res.body['error'] === 'string' ? { error: res.body['error'] } : {}),
        retryAfter: res.headers.get('retry-after'),
      });
    };

    /** Where an /authorize flow ended: a redirect to the client (its code or error), or a page. */
    const recordAuthorizeEnd = async (res: Response): Promise<string | null> => {
      const location = res.headers.get('location');
      if (res.status !== 303 || location === null || !location.startsWith(REDIRECT_URI)) {
        await record('/authorize page', res);
        return null;
      }
      const params = new URL(location).searchParams;
      const error = params.get('error');
      answers.push({ step: '/authorize redirect', status: 303, ...(error ? { error } : {}) });
      return params.get('code');
    };

    /** The code flow by hand, so every hop's answer is seen (a library would hide them). */
    const codeFlow = async () => {
      const browser = new CookieBrowser();
      const verifier = randomPKCECodeVerifier();
      const authorize = new URL(`${base}/authorize`);
      authorize.search = new URLSearchParams({
        client_id: RP.a.id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        state: 'st',
        nonce: 'n',
        code_challenge: await calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();
      const page = await browser.follow(authorize.toString(), {}, base);
      if (page.status !== 200) return void (await recordAuthorizeEnd(page));
      const login = formOf(await page.text());
      const done = await browser.follow(
        new URL(login.action, base).toString(),
        {
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({
            ...login.fields,
            username: ALICE.username,
            password: ALICE.password,
          }),
        },
        base,
      );
      const code = await recordAuthorizeEnd(done);
      if (code === null) return;
      const tokens = await record(
        '/token authorization_code',
        await post('/token', basic(RP.a), {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
        }),
      );
      if (typeof tokens['access_token'] !== 'string') return;
      latestAccessToken = tokens['access_token'];
      logins++;
    };

    const userinfo = async () => {
      if (latestAccessToken === undefined) return;
      await record(
        '/userinfo',
        await fetch(`${base}/userinfo`, {
          headers: bearer(latestAccessToken),
          signal: AbortSignal.timeout(8_000),
        }),
      );
    };

    const terminated: string[] = [];
    const terminator = async () => {
      while (Date.now() < deadline) {
        await pause(KILL_EVERY_MS);
        terminated.push(...(await terminateAll()));
      }
    };

    await Promise.all([
      loop(clientCredentials(CLIENTS.opaque), 10),
      loop(clientCredentials(CLIENTS.jwt), 10),
      loop(clientCredentials(CLIENTS.opaque), 10),
      loop(codeFlow, 50),
      loop(userinfo, 50),
      terminator(),
    ]);

    // The fault happened, to the apps that hold connections.
    expect(new Set(terminated)).toEqual(
      new Set([`idp-token-service/${schema}`, `idp-session-service/${schema}`]),
    );
    // No process died of it.
    for (const svc of [stack.token, stack.session, stack.auth, ...stack.introspection]) {
      expect({ app: svc.app, alive: svc.alive() }).toEqual({ app: svc.app, alive: true });
    }
    expect(transportFailures).toEqual([]);
    // No 500 of any kind; every refusal is a retryable 503 that says when to retry.
    const refused = answers.filter((a) => a.status >= 400);
    expect(refused.filter((a) => a.status !== 503)).toEqual([]);
    expect(
      refused.filter(
        (a) => a.error !== 'temporarily_unavailable' || !/^[0-9]+$/.test(a.retryAfter ?? ''),
      ),
    ).toEqual([]);
    // /authorize sends a fault to the client as temporarily_unavailable (RFC 6749 4.1.2.1).
    const redirectErrors = answers.filter((a) => a.step === '/authorize redirect' && a.error);
    expect(redirectErrors.filter((a) => a.error !== 'temporarily_unavailable')).toEqual([]);
    // The load was real: most requests still succeeded between the faults.
    const ok = answers.filter((a) => a.status < 400).length;
    expect(ok).toBeGreaterThan(refused.length);
    expect(issued.length).toBeGreaterThan(20);
    expect(logins).toBeGreaterThan(0);

    // Every token acknowledged with 200 is active (read-through or read model).
    const inactive: string[] = [];
    for (const { token, client } of issued) {
      const res = await introspect(stack.introspection[0]!.url, token, client);
      if (res.status !== 200 || res.body['active'] !== true)
        inactive.push(`${client.id}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(inactive).toEqual([]);
    console.log(
      `pg terminate: ${terminated.length} backends killed, ${answers.length} answers, ` +
        `${refused.length} refused with 503, ${issued.length} tokens, ${logins} logins`,
    );
  }, 60_000);
});
