import type { RpcHandlers } from '@idp/rpc';
import type { BackchannelRpc } from '@idp/nest-kit';
import type { DeadLetters } from './dead-letters.service';

/** session-service's BackchannelRpc (admin API): thin adapters over DeadLetters. */
export function backchannelRpcHandlers(
  deadLetters: DeadLetters,
): RpcHandlers<typeof BackchannelRpc> {
  return {
    listDeadLetters: async (req) => ({
      deliveries: await deadLetters.list({
        limit: req.limit,
        ...(req.after ? { after: req.after } : {}),
      }),
    }),
    retryDeadLetter: async (req) => ({ delivery: await deadLetters.retry(req) }),
  };
}
