import type { OptionSpec, OptionValues } from './command';
import { CliError } from './errors';
import type { Io } from './io';

export const ADMIN_OPTIONS: Record<string, OptionSpec> = {
  endpoint: {
    type: 'string',
    value: 'URL',
    help: 'admin API base URL (default $IDP_ADMIN_URL, else http://127.0.0.1:9100)',
  },
  token: {
    type: 'string',
    value: 'TOKEN',
    help: 'admin bearer token (default $IDP_ADMIN_TOKEN; prefer the variable: arguments show in ps)',
  },
};

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9100';

type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The admin API over HTTP, as Hydra's and Keycloak's CLIs do: the running
 * services own live state, so the CLI asks them instead of writing events
 * itself. Errors become one line naming the status and the OAuth error;
 * the token never appears in any message.
 */
export class AdminApi {
  private readonly base: URL;

  constructor(
    endpoint: string,
    private readonly token: string,
    private readonly fetchImpl: FetchLike = fetch,
  ) {
    try {
      this.base = new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
    } catch {
      throw new CliError(`the admin endpoint is not a URL: ${endpoint}`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:')
      throw new CliError(`the admin endpoint must be http(s): ${this.origin}`);
    if (this.base.username || this.base.password)
      throw new CliError(
        `the admin endpoint must not carry credentials (${this.origin}): use IDP_ADMIN_TOKEN`,
      );
  }

  /** Scheme, host and path, never userinfo. */
  get origin(): string {
    return `${this.base.protocol}//${this.base.host}${this.base.pathname.replace(/\/$/, '')}`;
  }

  /** `segments` are encoded one by one, so an id can never change the route. */
  async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    segments: readonly string[],
    body?: unknown,
    query?: URLSearchParams,
  ): Promise<T | undefined> {
    const url = new URL(`admin/${segments.map(encodeURIComponent).join('/')}`, this.base);
    if (query) url.search = query.toString();
    const what = `${method} /admin/${segments.join('/')}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url.toString(), {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      // The network cause (ECONNREFUSED, bad port...), not fetch's own message, which may quote the request.
      const { cause } = err as { cause?: { code?: string; message?: string } };
      const why = cause?.code ?? cause?.message ?? (err as Error).name;
      throw new CliError(`cannot reach the admin API at ${this.origin} (${why})`);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(`${what}: ${describeFailure(response.status, text)}`);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`${what}: the answer is not JSON (is ${this.origin} the admin API?)`);
    }
  }
}

function describeFailure(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === 'string')
      return `${status} ${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`;
  } catch {
    // not an OAuth error body
  }
  return `HTTP ${status}`;
}

/** --endpoint / IDP_ADMIN_URL and --token / IDP_ADMIN_TOKEN. */
export function adminApiFrom(values: OptionValues, io: Io): AdminApi {
  const endpoint = str(values.endpoint) ?? (io.env.IDP_ADMIN_URL || DEFAULT_ADMIN_URL);
  const token = str(values.token) ?? io.env.IDP_ADMIN_TOKEN;
  if (!token) throw new CliError('no admin token: set IDP_ADMIN_TOKEN (or pass --token)');
  return new AdminApi(endpoint, token, io.fetch);
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
