import { Controller, HttpCode, Inject, Optional, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '@idp/config';
import { ssfRpcMethods } from '@idp/contracts';
import { FORM_BODY_LIMIT, HealthRegistry, JsonBody } from '@idp/nest-kit';
import { NO_STORE } from '@idp/oauth-errors';
import { RateLimit } from '../http/rate-limit.guard';
import { SSF_PATHS } from './ssf-paths';
import { SsfReceivers } from './ssf-receivers';
import { checkedRpcRequest, ssfBody } from './ssf-requests';
import { SsfRpcAccess } from './ssf-rpc-access';

/** A held poll's RPC deadline past the hold: session-service answers within it, then signs. */
const HELD_CALL_MARGIN_MS = 5_000;

const NONE = { sets: {}, moreAvailable: false };

/**
 * RFC 8936 poll delivery: `POST /ssf/poll/<stream_id>` (the stream's
 * `endpoint_url`), by the stream's receiver only. The body acknowledges
 * SETs (`ack`), reports the ones it could not accept (`setErrs`), and asks
 * for more (`maxEvents`, `returnImmediately`); the answer is `{"sets":
 * {jti: SET}, "moreAvailable": bool}`. An ack of a jti that is not pending
 * on the stream acknowledges nothing (RFC 8936 2.4: the transmitter decides).
 *
 * `returnImmediately: false` is a long poll (RFC 8936 2.3): session-service
 * holds an empty answer up to SSF_POLL_WAIT_MS, under a call deadline longer
 * than that. The call is cancelled when the receiver goes away or this
 * process leaves rotation (shutdown), and the poll is then answered empty:
 * nothing is lost, a SET stays pending until it is acknowledged.
 */
@Controller(SSF_PATHS.poll)
@RateLimit('ssf')
export class SsfPollController {
  constructor(
    private readonly receivers: SsfReceivers,
    private readonly transmitter: SsfRpcAccess,
    @Inject(CONFIG) private readonly config: Config,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  @Post(':streamId')
  // A thousand acknowledged jtis fit in the app's body limit.
  @JsonBody({ limit: FORM_BODY_LIMIT, refuseQuery: true })
  @HttpCode(200)
  async poll(
    @Param('streamId') streamId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const clientId = await this.receivers.authenticate(request, 'write');
    const body = ssfBody(request, ['ack', 'setErrs', 'maxEvents', 'returnImmediately']);
    const held = body['returnImmediately'] === false;
    const waitMs = this.config.SSF_POLL_WAIT_MS;
    const rpc = checkedRpcRequest(ssfRpcMethods.poll.request, {
      clientId,
      streamId,
      ...body,
      ...(held ? { waitMs } : {}),
    });
    reply.headers(NO_STORE);
    if (!held) return this.transmitter.rpc.poll(rpc);
    return this.heldPoll(rpc, reply, waitMs);
  }

  private async heldPoll(
    rpc: Parameters<SsfRpcAccess['rpc']['poll']>[0],
    reply: FastifyReply,
    waitMs: number,
  ) {
    const receiverGone = new AbortController();
    // 'close' before the answer is written: the receiver hung up.
    const onClose = () => {
      if (!reply.raw.writableEnded) receiverGone.abort();
    };
    reply.raw.once('close', onClose);
    const signal = this.health
      ? AbortSignal.any([receiverGone.signal, this.health.leavingRotation])
      : receiverGone.signal;
    try {
      return await this.transmitter.rpc.poll(rpc, {
        timeoutMs: waitMs + HELD_CALL_MARGIN_MS,
        signal,
      });
    } catch (err) {
      // Cancelled by us: the receiver is gone (nobody reads this) or we are stopping (it polls again).
      if (signal.aborted) return NONE;
      throw err;
    } finally {
      reply.raw.off('close', onClose);
    }
  }
}
