import { Inject, Injectable, Optional } from '@nestjs/common';
import { SSF_RPC, type SsfRpcClient } from '@idp/contracts';
import { ServerError } from '@idp/oauth-errors';

/**
 * SSF_RPC (session-service's transmitter) for the Shared Signals
 * controllers. Optional at injection, as ADMIN_RPC is, so test harnesses
 * that bind only the RPCs they use still build AuthApiModule; every real
 * composition root binds it.
 */
@Injectable()
export class SsfRpcAccess {
  constructor(@Optional() @Inject(SSF_RPC) private readonly client?: SsfRpcClient) {}

  get rpc(): SsfRpcClient {
    if (!this.client) throw new ServerError(new Error('SSF_RPC is not bound'));
    return this.client;
  }
}
