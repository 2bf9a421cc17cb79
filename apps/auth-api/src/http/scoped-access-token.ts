import type { TokenRpcClient } from '@idp/contracts';

/** The longest token the introspect RPC takes: anything longer is not ours. */
const MAX_TOKEN = 16_384;

/** An active access token of ours, with the scopes its client holds both in it and in its registration. */
export interface ScopedAccessToken {
  readonly clientId: string;
  /** Each one of the asked-for scopes that is in the token AND in the client's current registration. */
  readonly held: ReadonlySet<string>;
  /** The token's confirmation (RFC 7800 `cnf`: DPoP `jkt`, RFC 8705 `x5t#S256`), when it is bound. */
  readonly cnf: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Resolves a presented token the way /introspect does (token-service's
 * introspect RPC: opaque, JWT and JWE access tokens; never ID tokens,
 * refresh tokens, revoked or expired ones), then keeps of `wanted` only the
 * scopes the token carries and the client is still registered for, so
 * taking a scope away from a client takes effect at once, not at the
 * token's expiry. Undefined for anything that is not an active access token.
 * Used by the admin API (ADR 0017) and the Shared Signals API (ADR 0036).
 */
export async function resolveScopedAccessToken(
  tokens: Pick<TokenRpcClient, 'introspect' | 'getClient'>,
  token: string,
  wanted: readonly string[],
): Promise<ScopedAccessToken | undefined> {
  if (token.length > MAX_TOKEN) return undefined;
  const { record } = await tokens.introspect({ token });
  const clientId = record['client_id'];
  if (
    record['active'] !== true ||
    record['token_type'] !== 'access_token' ||
    typeof clientId !== 'string'
  )
    return undefined;
  const granted = scopes(record['scope']);
  const candidates = wanted.filter((s) => granted.has(s));
  // No wanted scope in the token: no need to read the client.
  const registered =
    candidates.length === 0
      ? new Set<string>()
      : scopes((await tokens.getClient({ clientId })).client?.['scope']);
  const cnf = record['cnf'];
  return {
    clientId,
    held: new Set(candidates.filter((s) => registered.has(s))),
    cnf:
      typeof cnf === 'object' && cnf !== null && !Array.isArray(cnf)
        ? (cnf as Record<string, unknown>)
        : undefined,
  };
}

function scopes(value: unknown): Set<string> {
  return new Set(typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
}
