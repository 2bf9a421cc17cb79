import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Configuration } from 'openid-client';
import { CookieBrowser } from '../oidc/browser';
import { submitLoginAsAlice } from '../oidc/flows';
import { authorizationUrl, codeGrant, newChecks, type OidcTokens } from '../support/rp';

/** Every JSON object line of a process' output (other lines are skipped). */
export function jsonLines(output: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut by the capture, or not ours.
    }
  }
  return lines;
}

/** A CookieBrowser that also remembers every cookie value it was ever given. */
export class RecordingBrowser extends CookieBrowser {
  readonly cookieValues = new Set<string>();

  override async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await super.fetch(url, init);
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      if (value !== '') this.cookieValues.add(value);
    }
    return res;
  }
}

/**
 * The code flow with PKCE through the login page, as logout.fixtures' signIn
 * does, but keeping what must never be logged: the code and the verifier.
 */
export async function codeFlow(
  browser: CookieBrowser,
  base: string,
  client: Configuration,
): Promise<{ tokens: OidcTokens; code: string; codeVerifier: string }> {
  const { checks, params } = await newChecks();
  let res = await browser.follow(
    authorizationUrl(client, { scope: 'openid profile email offline_access', ...params }),
    {},
    base,
  );
  if (res.status !== 200) throw new Error(`expected the login page, got ${res.status}`);
  res = await submitLoginAsAlice(browser, base, res);
  const callback = res.headers.get('location');
  if (callback === null) throw new Error(`expected a redirect to the RP, got ${res.status}`);
  const tokens = await codeGrant(client, callback, checks);
  return {
    tokens,
    code: new URL(callback).searchParams.get('code')!,
    codeVerifier: checks.codeVerifier,
  };
}

/** RPs' back-channel logout endpoints that accept every POST and keep its headers. */
export class HeaderRecordingRps {
  readonly posts: { clientId: string; headers: IncomingHttpHeaders }[] = [];
  private server: Server | undefined;
  port = 0;

  uriOf(clientId: string): string {
    return `http://127.0.0.1:${this.port}/bcl/${clientId}`;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.posts.push({
          clientId: (req.url ?? '').replace(/^\/bcl\//, ''),
          headers: req.headers,
        });
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
