// Joining one SSO session from many RPs over the services' RPCs, as the
// e2e tests and the back-channel benchmark both need it. The RPC clients are
// typed by the calls used here, so this package needs no @idp/nest-kit.

/** The parts of session-service's and token-service's RPC clients used here. */
export interface SessionJoinRpcs {
  readonly session: {
    startSession(request: {
      sub: string;
      amr: string[];
    }): Promise<{ readonly sid: string; readonly authTime: number }>;
    getSession(request: {
      sid: string;
    }): Promise<{ readonly session?: { readonly clientIds: readonly string[] } | null }>;
  };
  readonly tokens: {
    authorize(request: {
      clientId: string;
      sub: string;
      sid: string;
      authTime: number;
      amr: string[];
      scope: string[];
      redirectUri: string;
      redirectUriSupplied: boolean;
      responseType: string;
      nonce: string;
    }): Promise<{ readonly id_token?: string | undefined }>;
  };
}

export interface SessionJoinOptions {
  readonly sub: string;
  readonly redirectUri: string;
  /** Authorizations in flight at once. */
  readonly batch?: number;
  /** How long session-service may take to hear of every join. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Told the number of joins session-service knows of, at each poll. */
  readonly onProgress?: (joined: number) => void;
}

/**
 * One SSO session that `clientIds` joined: the session starts over the
 * session RPC (as auth-api's login does) and each client gets an ID token in
 * it over the token RPC (as /authorize does after login); session-service
 * learns who joined from token-service's events on the bus, so this waits
 * until it knows of them all. Each join loads the session's stream: joining
 * N clients costs O(N²) event reads, minutes for 5,000.
 */
export async function sessionJoinedBy(
  rpc: SessionJoinRpcs,
  clientIds: readonly string[],
  options: SessionJoinOptions,
): Promise<string> {
  const { sub, redirectUri, batch = 20, timeoutMs = 60_000, intervalMs = 200 } = options;
  const started = await rpc.session.startSession({ sub, amr: ['pwd'] });
  for (let i = 0; i < clientIds.length; i += batch) {
    await Promise.all(
      clientIds.slice(i, i + batch).map(async (clientId) => {
        const res = await rpc.tokens.authorize({
          clientId,
          sub,
          sid: started.sid,
          authTime: started.authTime,
          amr: ['pwd'],
          scope: ['openid'],
          redirectUri,
          redirectUriSupplied: true,
          responseType: 'id_token',
          nonce: `n-${clientId}`,
        });
        if (sidOf(res.id_token) !== started.sid)
          throw new Error(`sid not in ${clientId}'s ID token`);
      }),
    );
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { session } = await rpc.session.getSession({ sid: started.sid });
    const joined = session?.clientIds.length ?? 0;
    options.onProgress?.(joined);
    if (joined >= clientIds.length) return started.sid;
    if (Date.now() > deadline)
      throw new Error(
        `${clientIds.length} clients joined the session: ${joined} after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The `sid` claim of an ID token (its payload, unverified: the RP's checks are not under test here). */
function sidOf(idToken: string | undefined): unknown {
  const payload = idToken?.split('.')[1];
  return payload
    ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))['sid']
    : undefined;
}
