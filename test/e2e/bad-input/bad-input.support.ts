import { connect } from 'node:net';
import { startEmbeddedProvider, type EmbeddedProvider } from '../browser/embedded-provider';
import { REDIRECT_URI } from '../oidc/seed';

export { REDIRECT_URI };
export const FORM = 'application/x-www-form-urlencoded';
export const ONE_MB = 1024 * 1024;
export const WEB_OPAQUE = { id: 'web-opaque', secret: 'web-opaque-secret-0123456789abcdef' };
export const BATCH_JOB = { id: 'batch-job', secret: 'batch-job-secret-0123456789abcdef' };
/** A valid S256 challenge (RFC 7636 appendix B). */
export const CODE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * What must never be in an error body: stack frames, file names, framework
 * error codes, driver or network errors, serialised objects.
 */
const LEAKS =
  /\bat [\w$.<>]+ \(|\.[jt]s:\d+|node_modules|FST_[A-Z_]+|ERR_[A-Z_]+|ECONN|SQLITE|QueryFailed|typeorm|TypeError|ReferenceError|SyntaxError|Cannot (GET|POST|read)|\[object Object\]|\bundefined\b|Unexpected token/;

/** RFC 6749 5.2: error_description characters. */
const DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A request as a client sends it; redirects are never followed. */
export async function send(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return answer(
    await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
    }),
  );
}

/** A form POST; `body` is sent as is (a string or raw bytes). */
export function postForm(
  base: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return send(base, path, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
}

/**
 * Raw bytes on a socket, for what fetch will not send (non-ASCII bytes in the
 * request line or a header, a 1 MB header). Returns the status line, the
 * headers and the body of the answer; the server may reset the connection
 * after answering (it stops reading an oversized request), so a reset after
 * a complete answer is not a failure.
 */
export function sendRaw(base: string, request: Buffer): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let socketError: Error | undefined;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => (socketError = err));
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(raw)?.[1];
      if (split < 0 || status === undefined) {
        reject(
          new Error(`no HTTP answer (${socketError?.message ?? 'closed'}): ${raw.slice(0, 200)}`),
        );
        return;
      }
      const headers = new Headers();
      for (const line of raw.slice(0, split).split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      resolve({ status: Number(status), headers, text: raw.slice(split + 4) });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.end(request);
  });
}

export function rawRequest(
  requestLine: string | Buffer,
  headers: readonly (string | Buffer)[] = [],
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const parts: Buffer[] = [Buffer.from(requestLine), Buffer.from('\r\nHost: 127.0.0.1\r\n')];
  for (const h of headers) parts.push(Buffer.from(h), Buffer.from('\r\n'));
  if (body.length > 0) parts.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
  parts.push(Buffer.from('Connection: close\r\n\r\n'), body);
  return Buffer.concat(parts);
}

export function expectNoLeak(a: Answer): void {
  expect(a.status).toBeLessThan(500);
  expect(a.text).not.toMatch(LEAKS);
}

export interface JsonErrorExpectation {
  readonly description?: string | RegExp;
  /** The WWW-Authenticate header: a pattern, or null for "absent". Unchecked if undefined. */
  readonly challenge?: RegExp | null;
}

/** RFC 6749 5.2 / RFC 6750 3.1 JSON: status, error code, no-store, a clean description. */
export function expectJsonError(
  a: Answer,
  status: number,
  error: string,
  expected: JsonErrorExpectation = {},
): void {
  expectNoLeak(a);
  expect({ status: a.status, body: a.text.slice(0, 300) }).toMatchObject({ status });
  expect(a.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(a.headers.get('cache-control')).toBe('no-store');
  expect(a.headers.get('location')).toBeNull();
  const body = JSON.parse(a.text) as Record<string, unknown>;
  expect(body['error']).toBe(error);
  for (const key of Object.keys(body))
    expect(['error', 'error_description', 'error_uri']).toContain(key);
  if (body['error_description'] !== undefined) {
    expect(body['error_description']).toMatch(DESCRIPTION);
  }
  if (expected.description !== undefined) {
    if (typeof expected.description === 'string') {
      expect(body['error_description']).toBe(expected.description);
    } else expect(body['error_description']).toMatch(expected.description);
  }
  if (expected.challenge === null) expect(a.headers.get('www-authenticate')).toBeNull();
  else if (expected.challenge !== undefined) {
    expect(a.headers.get('www-authenticate')).toMatch(expected.challenge);
  }
}

/** Our HTML error page (never a redirect): a 4xx, the error code shown, the page headers. */
export function expectHtmlError(a: Answer, status: number, error: string, text?: string): void {
  expectNoLeak(a);
  expect({ status: a.status, body: a.text.slice(0, 300) }).toMatchObject({ status });
  expect(a.headers.get('location')).toBeNull();
  expectPageHeaders(a);
  expect(a.text).toContain('<h1>Sign-in could not continue</h1>');
  expect(a.text).toContain(`<code>${error}</code>`);
  if (text !== undefined) expect(a.text).toContain(text);
}

export function expectPageHeaders(a: Answer): void {
  expect(a.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(a.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
  expect(a.headers.get('cache-control')).toBe('no-store');
  expect(a.headers.get('x-frame-options')).toBe('DENY');
}

/** An error sent back to the client (RFC 6749 4.1.2.1, RFC 9207): 303 to the redirect_uri. */
export function expectRedirectError(
  a: Answer,
  base: string,
  error: string,
  state: string | undefined,
): URL {
  expectNoLeak(a);
  expect({ status: a.status, body: a.text.slice(0, 300) }).toMatchObject({ status: 303 });
  const location = new URL(a.headers.get('location') ?? 'about:blank');
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  // query, or fragment when the response type returns tokens (OAuth 2.0 Multiple Response Types 5).
  const params = new URLSearchParams(location.search || location.hash.slice(1));
  expect(params.get('error')).toBe(error);
  expect(params.get('error_description') ?? '').toMatch(DESCRIPTION);
  expect(params.get('state')).toBe(state ?? null);
  expect(params.get('iss')).toBe(base);
  expect(params.has('code')).toBe(false);
  expect(a.headers.get('cache-control')).toBe('no-store');
  return location;
}

/**
 * One embedded provider per test file, and an event-count guard: a bad
 * request must leave the event store as it was.
 */
export function badInputProvider(): {
  provider: () => EmbeddedProvider;
  /** Runs `body` and fails if any event was appended meanwhile (or by consumers right after). */
  writesNothing: <T>(body: () => Promise<T>) => Promise<T>;
} {
  let provider: EmbeddedProvider | undefined;
  beforeAll(async () => {
    provider = await startEmbeddedProvider();
  }, 120_000);
  afterAll(() => provider?.stop());
  return {
    provider: () => provider!,
    async writesNothing(body) {
      const before = await provider!.settledEventCount();
      const result = await body();
      expect({ eventsAppended: (await provider!.settledEventCount()) - before }).toEqual({
        eventsAppended: 0,
      });
      return result;
    },
  };
}
