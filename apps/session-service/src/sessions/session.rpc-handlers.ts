import type { RpcHandlers } from '@idp/rpc';
import type { SessionRpc } from '@idp/nest-kit';
import { actingAs } from '@idp/eventsourcing';
import type { SessionService } from './session.service';

/**
 * session-service's RPC surface: thin adapters over SessionService. An end
 * the admin API asked for runs as its caller, so session.ended names it (ADR 0017).
 */
export function sessionRpcHandlers(sessions: SessionService): RpcHandlers<typeof SessionRpc> {
  return actingAs<RpcHandlers<typeof SessionRpc>>({
    startSession: (req) => sessions.start(req),
    getSession: async (req) => ({ session: await sessions.get(req.sid, req.touch ?? false) }),
    endSession: async ({ actor: _caller, ...req }) => ({ ended: await sessions.end(req) }),
    endSessionsOfUser: async (req) => ({ ended: await sessions.endAllOf(req.sub, req.reason) }),
  });
}
