import { Inject, Injectable } from '@nestjs/common';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { MAX_ERROR_LENGTH } from '../backchannel-logout/delivery';
import { setSigner } from './set-signing';
import { streamNotFound } from './ssf-errors';
import { SSF_STORE, type SsfStore } from './ssf-store.port';

/** SETs per poll answer when the receiver names no maxEvents. */
const DEFAULT_MAX_EVENTS = 100;

export interface PollRequest {
  readonly clientId: string;
  readonly streamId: string;
  readonly ack: readonly string[];
  readonly setErrs: Readonly<Record<string, { err: string; description?: string | undefined }>>;
  readonly maxEvents?: number | undefined;
}

/**
 * RFC 8936 poll delivery: acknowledgements and errors first (2.4), then up
 * to maxEvents pending SETs, oldest first, signed now with the jti and iat
 * fixed when they were queued, so a SET polled twice is the same SET. A
 * paused stream answers none (its SETs wait); a disabled one has none.
 * Always answers at once (returnImmediately false is not held open: the
 * receiver polls again).
 */
@Injectable()
export class SetPolling {
  private readonly sign: ReturnType<typeof setSigner>;

  constructor(
    @Inject(SSF_STORE) private readonly store: SsfStore,
    @Inject(TOKEN_RPC) tokens: TokenRpcClient,
  ) {
    this.sign = setSigner(tokens);
  }

  async poll(
    request: PollRequest,
  ): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> {
    const stream = await this.store.getStream(request.streamId);
    if (stream === undefined || stream.clientId !== request.clientId || stream.status === 'deleted')
      throw streamNotFound();
    if (stream.method !== 'poll')
      throw new OAuthError('invalid_request', {
        description: 'the stream delivers by push (RFC 8935), not poll',
      });
    const now = Date.now();
    await this.store.acknowledge(stream.streamId, request.ack, now);
    await this.store.refuse(
      stream.streamId,
      Object.entries(request.setErrs).map(([jti, e]) => ({
        jti,
        error: `receiver: ${e.err}${e.description ? ` (${e.description})` : ''}`.slice(
          0,
          MAX_ERROR_LENGTH,
        ),
      })),
      now,
    );
    const max = request.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (stream.status !== 'enabled' || max === 0) return { sets: {}, moreAvailable: false };
    const pending = await this.store.pendingPolled(stream.streamId, max + 1);
    const batch = pending.slice(0, max);
    const signed = await this.sign(batch);
    return {
      sets: Object.fromEntries(batch.map((d, i) => [d.jti, signed[i]!])),
      moreAvailable: pending.length > max,
    };
  }
}
