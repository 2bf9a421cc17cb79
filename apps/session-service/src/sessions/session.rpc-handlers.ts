import type { RpcHandlers } from '@idp/rpc';
import type { SessionRpc } from '@idp/nest-kit';
import type { SessionService } from './session.service';

/** session-service's RPC surface: thin adapters over SessionService. */
export function sessionRpcHandlers(sessions: SessionService): RpcHandlers<typeof SessionRpc> {
  return {
    startSession: (req) => sessions.start(req),
    getSession: async (req) => ({ session: await sessions.get(req.sid, req.touch ?? false) }),
    endSession: async (req) => ({ ended: await sessions.end(req) }),
    endSessionsOfUser: async (req) => ({ ended: await sessions.endAllOf(req.sub, req.reason) }),
  };
}
