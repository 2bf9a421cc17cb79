import { request } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CookieBrowser, formOf } from '../oidc/browser';

export const REDIRECT_URI = 'https://rp.example.test/cb';
export const ALICE = {
  sub: 'abuse-alice',
  username: 'alice',
  password: 'wonderland-is-long-enough',
};
export const VICTIM = {
  sub: 'abuse-victim',
  username: 'victim',
  password: 'victim-password-is-long',
};
export const CLIENT = { id: 'web', secret: 'web-secret-0123456789abcdef' };
/** A second client, for tests that need one whose rate-limit budget is untouched. */
export const SERVICE = { id: 'service', secret: 'service-secret-0123456789abcdef' };
/** The 512Mi that deploy/k8s gives token-service (and the embedded process runs everything). */
export const MEMORY_LIMIT_MIB = 512;

export function writeSeed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'idp-abuse-'));
  const file = join(dir, 'seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid',
          skip_consent: true,
        },
        {
          client_id: SERVICE.id,
          client_secret: SERVICE.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      users: [ALICE, VICTIM].map((u) => ({ ...u, claims: {} })),
    }),
  );
  return file;
}

/** Peak resident set size of a process (VmHWM), MiB. */
export function peakRssMiB(pid: number): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmHWM for ${pid}`);
  return Number(line[1]) / 1024;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * A login form ready to post: /authorize and the page are fetched first (so
 * a flood is only the POSTs), the POST goes out from `from`, a loopback
 * address of its own: the server sees a different client IP per address.
 */
export type LoginPost = (
  username: string,
  password: string,
  from?: string,
  /** Another replica's origin to post to (auth-api replicas share the cookie keys). */
  via?: string,
) => Promise<Answer>;

export async function loginForm(base: string): Promise<LoginPost> {
  const browser = new CookieBrowser();
  const params = new URLSearchParams({
    client_id: CLIENT.id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const authz = await browser.fetch(`${base}/authorize?${params}`);
  if (authz.status !== 303) throw new Error(`/authorize answered ${authz.status}`);
  const pageUrl = new URL(authz.headers.get('location')!, base).toString();
  const page = await browser.fetch(pageUrl);
  const { action, fields } = formOf(await page.text());
  const cookie = cookieHeaderOf(browser);
  return (username, password, from = '127.0.0.1', via = base) => {
    const target = new URL(action, base);
    const url = new URL(target.pathname + target.search, via).toString();
    return post(
      url,
      new URLSearchParams({ ...fields, username, password }).toString(),
      cookie,
      from,
    );
  };
}

/** The interaction cookie for a POST sent without the browser (its jar is private: read it back). */
function cookieHeaderOf(browser: CookieBrowser): string {
  const jar = (browser as unknown as { jar: Map<string, string> }).jar;
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

function post(url: string, body: string, cookie: string, localAddress: string): Promise<Answer> {
  return send(url, {
    method: 'POST',
    from: localAddress,
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
  });
}

/** One HTTP request from a chosen loopback address (the client IP the server sees). */
export function send(
  url: string,
  options: {
    method?: string;
    from?: string;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const body = options.body ?? '';
  const localAddress = options.from ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'POST',
        localAddress,
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.end(body);
  });
}

/** Where a finished login sent the browser: the RP with a code, or undefined. */
export function codeOf(answer: Answer): string | undefined {
  const location = answer.headers['location'];
  if (typeof location !== 'string' || !location.startsWith(REDIRECT_URI)) return undefined;
  return new URL(location).searchParams.get('code') ?? undefined;
}
