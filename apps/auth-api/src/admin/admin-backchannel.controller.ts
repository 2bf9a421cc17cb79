import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Optional,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import type { BackchannelDeliveryView } from '@idp/contracts';
import { BACKCHANNEL_RPC, type BackchannelRpcClient } from '@idp/nest-kit';
import { InvalidRequest, ServerError } from '@idp/oauth-errors';
import { AdminTokenGuard } from './admin-token.guard';

const MAX_LIMIT = 500;

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const limit = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    throw new InvalidRequest(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

function afterOf(sid: string | undefined, clientId: string | undefined) {
  if (sid === undefined && clientId === undefined) return {};
  if (!sid || !clientId)
    throw new InvalidRequest('after_sid and after_client_id go together (the last delivery seen)');
  return { after: { sid, clientId } };
}

/**
 * Back-channel logout deliveries that ran out of attempts (ADR 0011): list
 * them, and put one back in the queue once the RP is fixed. The logout token
 * itself is never shown; the retry resends one with the same jti.
 */
@Controller('admin/backchannel/dead-letters')
@UseGuards(AdminTokenGuard)
export class AdminBackchannelController {
  constructor(
    @Optional() @Inject(BACKCHANNEL_RPC) private readonly client?: BackchannelRpcClient,
  ) {}

  private get rpc(): BackchannelRpcClient {
    if (!this.client) throw new ServerError(new Error('BACKCHANNEL_RPC is not bound'));
    return this.client;
  }

  /** `?limit=` (1-500, default 100); next page: `?after_sid=&after_client_id=` of the last one. */
  @Get()
  @Header('Cache-Control', 'no-store')
  list(
    @Query('limit') limit?: string,
    @Query('after_sid') afterSid?: string,
    @Query('after_client_id') afterClientId?: string,
  ): Promise<{ deliveries: BackchannelDeliveryView[] }> {
    return this.rpc.listDeadLetters({
      limit: limitOf(limit),
      ...afterOf(afterSid, afterClientId),
    });
  }

  /** 200 with the requeued delivery; 404 unknown; 409 when it is not dead-lettered. */
  @Post(':sid/:clientId/retry')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  retry(
    @Param('sid') sid: string,
    @Param('clientId') clientId: string,
  ): Promise<{ delivery: BackchannelDeliveryView }> {
    return this.rpc.retryDeadLetter({ sid, clientId });
  }
}
