import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ssfRpcMethods } from '@idp/contracts';
import { FORM_BODY_LIMIT, JsonBody } from '@idp/nest-kit';
import { NO_STORE } from '@idp/oauth-errors';
import { RateLimit } from '../http/rate-limit.guard';
import { SSF_PATHS } from './ssf-paths';
import { SsfReceivers } from './ssf-receivers';
import { checkedRpcRequest, ssfBody } from './ssf-requests';
import { SsfRpcAccess } from './ssf-rpc-access';

/**
 * RFC 8936 poll delivery: `POST /ssf/poll/<stream_id>` (the stream's
 * `endpoint_url`), by the stream's receiver only. The body acknowledges
 * SETs (`ack`), reports the ones it could not accept (`setErrs`), and asks
 * for more (`maxEvents`, `returnImmediately`); the answer is `{"sets":
 * {jti: SET}, "moreAvailable": bool}`. An ack of a jti that is not pending
 * on the stream acknowledges nothing (RFC 8936 2.4: the transmitter decides).
 */
@Controller(SSF_PATHS.poll)
@RateLimit('ssf')
export class SsfPollController {
  constructor(
    private readonly receivers: SsfReceivers,
    private readonly transmitter: SsfRpcAccess,
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
    const rpc = checkedRpcRequest(ssfRpcMethods.poll.request, { clientId, streamId, ...body });
    const answer = await this.transmitter.rpc.poll(rpc);
    reply.headers(NO_STORE);
    return answer;
  }
}
