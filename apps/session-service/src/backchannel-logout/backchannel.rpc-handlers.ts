import type { RpcHandlers, RpcRequest } from '@idp/rpc';
import { RpcHandler } from '@idp/nest-kit';
import { runAsActor } from '@idp/eventsourcing';
import { BackchannelRpc } from '@idp/contracts';
import { DeadLetters } from './dead-letters.service';

type Request<K extends keyof typeof BackchannelRpc.methods> = RpcRequest<typeof BackchannelRpc, K>;

/** session-service's BackchannelRpc (admin API): thin adapters over DeadLetters, run as the caller (ADR 0017). */
@RpcHandler(BackchannelRpc)
export class BackchannelRpcHandlers implements RpcHandlers<typeof BackchannelRpc> {
  constructor(private readonly deadLetters: DeadLetters) {}

  async listDeadLetters({ limit, after }: Request<'listDeadLetters'>) {
    return { deliveries: await this.deadLetters.list({ limit, ...(after ? { after } : {}) }) };
  }

  retryDeadLetter({ actor, sid, clientId }: Request<'retryDeadLetter'>) {
    return runAsActor(actor, async () => ({
      delivery: await this.deadLetters.retry({ sid, clientId }),
    }));
  }
}
