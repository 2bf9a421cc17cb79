import type { RpcHandlers } from '@idp/rpc';
import type { BackchannelRpc } from '@idp/nest-kit';
import { actingAs } from '@idp/eventsourcing';
import type { DeadLetters } from './dead-letters.service';

/** session-service's BackchannelRpc (admin API): thin adapters over DeadLetters, run as the caller (ADR 0017). */
export function backchannelRpcHandlers(
  deadLetters: DeadLetters,
): RpcHandlers<typeof BackchannelRpc> {
  return actingAs<RpcHandlers<typeof BackchannelRpc>>({
    listDeadLetters: async (req) => ({
      deliveries: await deadLetters.list({
        limit: req.limit,
        ...(req.after ? { after: req.after } : {}),
      }),
    }),
    retryDeadLetter: async ({ sid, clientId }) => ({
      delivery: await deadLetters.retry({ sid, clientId }),
    }),
  });
}
