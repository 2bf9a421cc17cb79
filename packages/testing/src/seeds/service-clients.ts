// The machine-to-machine client of the seeds (client_credentials, no user),
// shared by the introspection e2e tests and the benchmarks.

export interface ServiceClient {
  readonly clientId: string;
  readonly secret: string;
  readonly format: 'opaque' | 'jwt';
  /** The scope it may ask for, space-separated. */
  readonly scope: string;
  /** A JWT access token's signing alg; the service's default when unset. */
  readonly accessTokenAlg?: string;
}

/** A client_credentials client with a secret (client_secret_basic), as a seed file lists it. */
export function serviceClient(c: ServiceClient): Readonly<Record<string, unknown>> {
  return {
    client_id: c.clientId,
    client_secret: c.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: c.scope,
    access_token_format: c.format,
    ...(c.accessTokenAlg ? { access_token_signed_response_alg: c.accessTokenAlg } : {}),
  };
}
