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
import {
  adminDeadLettersQuery,
  type Actor,
  type BackchannelDeliveryView,
  BACKCHANNEL_RPC,
  type BackchannelRpcClient,
} from '@idp/contracts';
import { ServerError } from '@idp/oauth-errors';
import { AdminCaller, AdminAuthGuard } from './admin-auth.guard';
import { parseBody } from './admin-rpc';

/**
 * Back-channel logout deliveries that ran out of attempts (ADR 0011): list
 * them, and put one back in the queue once the RP is fixed. The logout token
 * itself is never shown; the retry resends one with the same jti.
 */
@Controller('admin/backchannel/dead-letters')
@UseGuards(AdminAuthGuard)
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
  list(@Query() query: unknown): Promise<{ deliveries: BackchannelDeliveryView[] }> {
    const {
      limit,
      after_sid: sid,
      after_client_id: clientId,
    } = parseBody(adminDeadLettersQuery, query);
    return this.rpc.listDeadLetters({
      limit: limit ?? 100,
      ...(sid === undefined || clientId === undefined ? {} : { after: { sid, clientId } }),
    });
  }

  /** 200 with the requeued delivery; 404 unknown; 409 when it is not dead-lettered. */
  @Post(':sid/:clientId/retry')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  retry(
    @Param('sid') sid: string,
    @Param('clientId') clientId: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ delivery: BackchannelDeliveryView }> {
    return this.rpc.retryDeadLetter({ sid, clientId, actor });
  }
}
