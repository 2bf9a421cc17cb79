import { Controller, Get, Header, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { adminSsfDeadLettersQuery, type Actor, type SsfDeliveryView } from '@idp/contracts';
import { SsfRpcAccess } from '../shared-signals/ssf-rpc-access';
import { AdminCaller, AdminAuthGuard } from './admin-auth.guard';
import { parseBody } from './admin-rpc';

/**
 * Shared Signals SET deliveries that ran out of attempts (ADR 0035, 0036),
 * as the back-channel logout ones: list them, and put one back in the queue
 * once the receiver is fixed. The SET itself is never shown; the retry
 * sends the same jti again.
 */
@Controller('admin/ssf/dead-letters')
@UseGuards(AdminAuthGuard)
export class AdminSsfController {
  constructor(private readonly transmitter: SsfRpcAccess) {}

  /** `?limit=` (1-500, default 100); next page: `?after_stream_id=&after_jti=` of the last one. */
  @Get()
  @Header('Cache-Control', 'no-store')
  list(@Query() query: unknown): Promise<{ deliveries: SsfDeliveryView[] }> {
    const {
      limit,
      after_stream_id: streamId,
      after_jti: jti,
    } = parseBody(adminSsfDeadLettersQuery, query);
    return this.transmitter.rpc.listDeadLetters({
      limit: limit ?? 100,
      ...(streamId === undefined || jti === undefined ? {} : { after: { streamId, jti } }),
    });
  }

  /** 200 with the requeued delivery; 404 unknown; 409 when it is not dead-lettered. */
  @Post(':streamId/:jti/retry')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  retry(
    @Param('streamId') streamId: string,
    @Param('jti') jti: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ delivery: SsfDeliveryView }> {
    return this.transmitter.rpc.retryDeadLetter({ streamId, jti, actor });
  }
}
