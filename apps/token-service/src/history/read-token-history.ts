import type { TokenHistory } from '@idp/contracts';
import {
  clientStream,
  grantStream,
  sessionStream,
  tokenHistory,
  userStream,
  type TokenRef,
} from '@idp/domain';
import type { EventStore } from '@idp/eventstore';

/** The token asked about, as its grant's events name it. */
export interface HistoryToken {
  readonly kind: 'access_token' | 'refresh_token';
  readonly ref: TokenRef;
}

/** The grant's client, user and session, from the first event that names each. */
function owners(events: readonly { readonly data: unknown }[]) {
  const found: { clientId?: string; sub?: string; sid?: string } = {};
  for (const { data } of events) {
    const d = data as Record<string, unknown>;
    for (const key of ['clientId', 'sub', 'sid'] as const)
      if (found[key] === undefined && typeof d[key] === 'string') found[key] = d[key];
  }
  return found;
}

/**
 * A grant's history read from the event store alone (never a read model, so
 * a rebuild changes nothing; ADR 0037): its stream, then the streams of its
 * session, client and user for the session's end and the deletions, folded
 * by `tokenHistory` at `atMs`. Undefined for a grant with no events. Shared
 * by token-service's AdminRpc and the `idp grants show --at` command.
 */
export async function readTokenHistory(
  store: Pick<EventStore, 'readStream'>,
  grantId: string,
  token: HistoryToken | undefined,
  atMs: number,
): Promise<TokenHistory | undefined> {
  const grant = await store.readStream(grantStream(grantId));
  if (!grant.length) return undefined;
  const { clientId, sub, sid } = owners(grant);
  const read = (stream: string | undefined) =>
    stream === undefined ? Promise.resolve(undefined) : store.readStream(stream);
  const [session, client, user] = await Promise.all([
    read(sid === undefined ? undefined : sessionStream(sid)),
    read(clientId === undefined ? undefined : clientStream(clientId)),
    read(sub === undefined ? undefined : userStream(sub)),
  ]);
  return tokenHistory(
    {
      grant,
      ...(session === undefined ? {} : { session }),
      ...(client === undefined ? {} : { client }),
      ...(user === undefined ? {} : { user }),
    },
    grantId,
    token,
    atMs,
  );
}
