import { Inject, Injectable, Optional } from '@nestjs/common';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { HealthRegistry } from '@idp/nest-kit';
import { OAuthError } from '@idp/oauth-errors';
import { MAX_ERROR_LENGTH } from '../backchannel-logout/delivery';
import { setSigner } from './set-signing';
import { streamNotFound } from './ssf-errors';
import { ssfMetrics } from './ssf.metrics';
import type { PollWakeUps } from './poll-wake-ups';
import { SSF_STORE, type SsfStore, type StreamRow } from './ssf-store.port';
import { POLL_WAKE_UPS } from './ssf.tokens';

/** SETs per poll answer when the receiver names no maxEvents. */
const DEFAULT_MAX_EVENTS = 100;

export interface PollRequest {
  readonly clientId: string;
  readonly streamId: string;
  readonly ack: readonly string[];
  readonly setErrs: Readonly<Record<string, { err: string; description?: string | undefined }>>;
  readonly maxEvents?: number | undefined;
  /** RFC 8936 `returnImmediately: false`: how long an empty answer may be held (0: answer at once). */
  readonly waitMs?: number | undefined;
  /** The caller gave up (the RPC was cancelled or ran out of time): a held poll answers now. */
  readonly signal?: AbortSignal | undefined;
}

const NONE = { sets: {}, moreAvailable: false };

/**
 * RFC 8936 poll delivery: acknowledgements and errors first (2.4), then up
 * to maxEvents pending SETs, oldest first, signed now with the jti and iat
 * fixed when they were queued, so a SET polled twice is the same SET. A
 * paused stream answers none (its SETs wait); a disabled one has none.
 * With `waitMs` (the receiver sent `returnImmediately: false`), an answer
 * that would be empty is held until a SET is queued for the stream or
 * `waitMs` passes (RFC 8936 2.3: long polling), through {@link PollWakeUps}:
 * no database connection or transaction is held meanwhile. The caller's
 * cancellation and the process leaving rotation end the hold at once.
 */
@Injectable()
export class SetPolling {
  private readonly sign: ReturnType<typeof setSigner>;

  constructor(
    @Inject(SSF_STORE) private readonly store: SsfStore,
    @Inject(TOKEN_RPC) tokens: TokenRpcClient,
    @Inject(POLL_WAKE_UPS) private readonly wakeUps: PollWakeUps,
    @Optional() private readonly health?: HealthRegistry,
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
    const acknowledged = await this.store.acknowledge(stream.streamId, request.ack, now);
    if (acknowledged > 0) ssfMetrics.delivered.inc({ client_id: stream.clientId }, acknowledged);
    const refused = await this.store.refuse(
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
    if (refused > 0) ssfMetrics.deadLettered.inc({ client_id: stream.clientId }, refused);
    const max = request.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (max === 0) return NONE;
    const waitMs = request.waitMs ?? 0;
    if (waitMs <= 0) return this.answer(stream, max);
    const deadline = Date.now() + waitMs;
    const signals = [request.signal, this.health?.leavingRotation].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const gaveUp = AbortSignal.any(signals);
    let current: StreamRow | undefined = stream;
    for (;;) {
      const answer = await this.answer(current, max);
      if (Object.keys(answer.sets).length > 0) return answer;
      const left = deadline - Date.now();
      if (left <= 0 || gaveUp.aborted) return NONE;
      await this.wakeUps.wait(stream.streamId, left, gaveUp);
      // Woken: the stream may have changed meanwhile (enabled, paused, disabled, deleted).
      current = await this.store.getStream(stream.streamId);
      if (current === undefined || current.status === 'deleted') return NONE;
    }
  }

  /** Up to `max` pending SETs of an enabled stream, signed now; none for any other status. */
  private async answer(stream: StreamRow, max: number) {
    if (stream.status !== 'enabled') return NONE;
    const pending = await this.store.pendingPolled(stream.streamId, max + 1);
    const batch = pending.slice(0, max);
    const signed = await this.sign(batch);
    return {
      sets: Object.fromEntries(batch.map((d, i) => [d.jti, signed[i]!])),
      moreAvailable: pending.length > max,
    };
  }
}
